//! The protocol side: document state, scheduling of checks, and the
//! requests, each answered by a feature function run on the blocking pool.
//! A feature that panics answers with an error and the server carries on;
//! diagnostics computed for a document version that has since changed are
//! dropped instead of published, and a check still queued when a newer
//! version arrives never starts. A request the client cancels raises the
//! flag its work polls, so a search over the workspace stops early.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use rustc_hash::FxHashMap;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use crate::analysis::{FileAnalysis, analyze};
use crate::cancel::{Cancel, CancelOnDrop, Checks};
use crate::config::{Settings, WorkspaceConfig, discover};
use crate::features;
use crate::pos::{apply_change, position_to_offset};
use crate::runtime;
use crate::vfs::Vfs;
use crate::world::{World, load_efuns};

/// An open editor buffer.
struct Document {
    uri: Uri,
    version: i32,
    text: Arc<str>,
    /// The analysis of `text` at `version`, once made.
    analysis: Option<(i32, Arc<FileAnalysis>)>,
}

#[derive(Default)]
struct State {
    workspace: Option<PathBuf>,
    settings: Settings,
    world: Option<World>,
    docs: FxHashMap<String, Document>,
    /// The client registers file watchers on request.
    can_watch_files: bool,
}

pub struct Backend {
    client: Client,
    state: Arc<RwLock<State>>,
    efuns: Arc<efun_specs::EfunTable>,
    /// Bumped whenever the world is rebuilt, so an index run for an older
    /// world does not report over a newer one.
    generation: Arc<Mutex<u64>>,
    /// The latest diagnostics check of each open file.
    checks: Arc<Checks>,
}

/// Runs the server over standard input and output until the client exits.
pub fn run_stdio() {
    runtime::block_on(async {
        let (stdin, stdout) = runtime::stdio();
        serve(stdin, stdout).await;
    });
}

/// Serves one client over any pair of byte streams until it exits: the
/// binary's standard input and output, or a socket in tests.
pub async fn serve<I, O>(input: I, output: O)
where
    I: runtime::AsyncRead + Unpin,
    O: runtime::AsyncWrite,
{
    let (service, socket) = LspService::new(Backend::new);
    Server::new(input, output, socket).serve(service).await;
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            state: Arc::default(),
            efuns: Arc::new(load_efuns()),
            generation: Arc::default(),
            checks: Arc::default(),
        }
    }

    fn world(&self) -> Option<World> {
        self.state.read().ok()?.world.clone()
    }

    /// Builds the world from the workspace and settings now in the state.
    fn rebuild_world(&self) -> Vec<String> {
        let Ok(mut state) = self.state.write() else {
            return Vec::new();
        };
        let config = match &state.workspace {
            Some(root) => discover(root, &state.settings),
            None => WorkspaceConfig::bare(PathBuf::from("/")),
        };
        let messages = config.messages.clone();
        // The old world's index run and checks answer for a configuration
        // that no longer holds.
        if let Some(old) = &state.world {
            old.cancel.cancel();
        }
        self.checks.stop_all();
        let vfs = Vfs::on_disk(config.mudlib_root.clone());
        for doc in state.docs.values() {
            let path = vfs.path_of_uri(&doc.uri);
            vfs.set_overlay(&path, doc.text.clone());
        }
        // Document keys are mudlib paths, which depend on the mudlib root.
        let docs = std::mem::take(&mut state.docs);
        state.docs = docs
            .into_values()
            .map(|mut d| {
                d.analysis = None;
                (vfs.path_of_uri(&d.uri), d)
            })
            .collect();
        state.world = Some(World::new(config, vfs, self.efuns.clone()));
        if let Ok(mut generation) = self.generation.lock() {
            *generation += 1;
        }
        messages
    }

    /// Checks the open document at `path` and publishes its diagnostics,
    /// unless it changed in the meantime. Asking again for the same file
    /// cancels this check: skipped if it has not started, and stopped
    /// between analysis and checking if it has.
    fn schedule_check(&self, path: String) {
        let Some(world) = self.world() else { return };
        let Some((uri, version)) = self.state.read().ok().and_then(|s| {
            let doc = s.docs.get(&path)?;
            Some((doc.uri.clone(), doc.version))
        }) else {
            return;
        };
        let client = self.client.clone();
        let state = self.state.clone();
        let checks = self.checks.clone();
        let cancel = checks.start(&path);
        runtime::spawn(async move {
            let job_world = world.with_cancel(cancel.clone());
            let job_path = path.clone();
            let result = runtime::spawn_blocking(move || {
                catch_unwind(AssertUnwindSafe(|| {
                    if job_world.cancelled() {
                        return None;
                    }
                    let analysis = job_world.analyze_path(&job_path)?;
                    if job_world.cancelled() {
                        return None;
                    }
                    let diagnostics = features::diagnostics::check(&job_world, &analysis);
                    job_world.refresh_unless_cancelled(&analysis)?;
                    Some((analysis, diagnostics))
                }))
            })
            .await;
            checks.finish(&path, &cancel);
            let Ok(Some((analysis, diagnostics))) = result else {
                return;
            };
            let current = {
                let Ok(mut state) = state.write() else { return };
                match state.docs.get_mut(&path) {
                    Some(doc) if doc.version == version => {
                        doc.analysis = Some((version, Arc::new(analysis)));
                        true
                    }
                    _ => false,
                }
            };
            if current {
                client
                    .publish_diagnostics(uri, diagnostics, Some(version))
                    .await;
            }
        });
    }

    /// Re-checks the other open documents that include or inherit `path`.
    fn recheck_dependents(&self, path: &str) {
        let Some(world) = self.world() else { return };
        let dependents: Vec<String> = {
            let Ok(state) = self.state.read() else { return };
            state
                .docs
                .iter()
                .filter(|(p, _)| p.as_str() != path)
                .filter(|(p, doc)| {
                    let includes = doc
                        .analysis
                        .as_ref()
                        .is_some_and(|(_, a)| a.sources().find(path).is_some());
                    let inherits = world.index.get(p).is_some_and(|s| {
                        s.inherits.iter().any(|(i, _)| i == path)
                            || world.inherited(&s).iter().any(|i| i.path == path)
                    });
                    includes || inherits
                })
                .map(|(p, _)| p.clone())
                .collect()
        };
        for dependent in dependents {
            self.schedule_check(dependent);
        }
    }

    /// A file changed outside the editor's buffers: forget what was read,
    /// summarise it and what includes or inherits it again, re-check the
    /// open files that depend on it.
    async fn file_changed(&self, path: String) {
        let Some(world) = self.world() else { return };
        world.vfs.invalidate(&path);
        world.index.remove(&path);
        world.uses.remove(&path);
        let job_world = world.clone();
        let job_path = path.clone();
        let _ = runtime::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| {
                job_world.refresh_dependents(&job_path);
                if crate::vfs::is_lpc_source(&job_path) && !job_path.ends_with(".h") {
                    job_world.summary(&job_path);
                }
            }))
        })
        .await;
        self.recheck_dependents(&path);
    }

    /// Runs a feature on the analysis of the document at `uri` at `position`.
    async fn at_position<T, F>(
        &self,
        uri: &Uri,
        position: Position,
        feature: F,
    ) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&World, &FileAnalysis, u32) -> Option<T> + Send + 'static,
    {
        self.on_file(uri, move |world, analysis| {
            let file = analysis.sources().file(analysis.main_file());
            let offset = position_to_offset(file, position);
            feature(world, analysis, offset)
        })
        .await
    }

    /// Runs a feature on the analysis of the document at `uri`, off the I/O
    /// tasks; a panic becomes an error answer. The feature's world is
    /// cancelled if the request is.
    async fn on_file<T, F>(&self, uri: &Uri, feature: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&World, &FileAnalysis) -> Option<T> + Send + 'static,
    {
        let Some(world) = self.world() else {
            return Ok(None);
        };
        let cancel = Cancel::new();
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let world = world.with_cancel(cancel);
        let path = world.vfs.path_of_uri(uri);
        let cached = self.state.read().ok().and_then(|s| {
            let doc = s.docs.get(&path)?;
            let (version, analysis) = doc.analysis.as_ref()?;
            (*version == doc.version).then(|| analysis.clone())
        });
        let open_text = self
            .state
            .read()
            .ok()
            .and_then(|s| s.docs.get(&path).map(|d| d.text.clone()));
        let answer = runtime::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| {
                let analysis = match cached {
                    Some(analysis) => analysis,
                    None => {
                        let text = match open_text {
                            Some(text) => text,
                            None => lpcc::source::SourceProvider::read(&*world.vfs, &path).ok()?,
                        };
                        Arc::new(analyze(&*world.vfs, &path, text, &world.config.check))
                    }
                };
                if world.cancelled() {
                    return None;
                }
                feature(&world, &analysis)
            }))
        })
        .await;
        answer.map_err(|_| {
            let mut error = Error::internal_error();
            error.message = "lpc-lsp failed on this request; the server carries on".into();
            error
        })
    }

    /// Indexes the whole mudlib in the background, reporting progress.
    async fn index_workspace(&self) {
        let Some(world) = self.world() else { return };
        let generation = self.generation.lock().map_or(0, |g| *g);
        let token = NumberOrString::String(format!("lpc-lsp/index/{generation}"));
        let progress = match self.client.create_work_done_progress(token.clone()).await {
            Ok(()) => Some(
                self.client
                    .progress(token, "Indexing the mudlib")
                    .with_percentage(0)
                    .begin()
                    .await,
            ),
            Err(_) => None,
        };
        let done = Arc::new(AtomicUsize::new(0));
        let total = Arc::new(AtomicUsize::new(0));
        let (job_done, job_total) = (done.clone(), total.clone());
        let started = std::time::Instant::now();
        let job = runtime::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| {
                world.index_workspace(&job_done, &job_total)
            }))
            .unwrap_or(0)
        });
        let finished = Arc::new(AtomicUsize::new(usize::MAX));
        let finished_flag = finished.clone();
        runtime::spawn(async move {
            let count = job.await;
            finished_flag.store(count, Ordering::Release);
        });
        let mut last = 0;
        loop {
            let count = finished.load(Ordering::Acquire);
            if count != usize::MAX {
                let message = format!("{count} files in {} ms", started.elapsed().as_millis());
                if let Some(progress) = progress {
                    progress.finish_with_message(message.clone()).await;
                }
                self.client
                    .log_message(MessageType::INFO, format!("lpc-lsp: indexed {message}"))
                    .await;
                break;
            }
            runtime::sleep(Duration::from_millis(50)).await;
            let (d, t) = (done.load(Ordering::Relaxed), total.load(Ordering::Relaxed));
            if let Some(progress) = &progress
                && t > 0
                && d != last
            {
                last = d;
                let percent = (d * 100 / t).min(100) as u32;
                progress
                    .report_with_message(format!("{d}/{t} files"), percent)
                    .await;
            }
        }
    }
}

/// A feature's refusal as an error answer the editor shows.
fn refused<T>(answer: Option<std::result::Result<Option<T>, String>>) -> Result<Option<T>> {
    match answer {
        None => Ok(None),
        Some(Ok(value)) => Ok(value),
        Some(Err(why)) => Err(Error::invalid_params(why)),
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![
                ">".into(),
                ":".into(),
                "/".into(),
                "\"".into(),
                "<".into(),
            ]),
            ..CompletionOptions::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            ..SignatureHelpOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        call_hierarchy_provider: Some(CallHierarchyServerCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: features::semantic_tokens::legend(),
                range: Some(true),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri.clone())
            .and_then(|uri| uri.to_file_path().map(|p| p.into_owned()));
        if let Ok(mut state) = self.state.write() {
            state.workspace = root;
            if let Some(options) = &params.initialization_options {
                state.settings = Settings::from_json(options);
            }
            state.can_watch_files = params
                .capabilities
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false);
        }
        let messages = self.rebuild_world();
        for message in messages {
            self.client.log_message(MessageType::WARNING, message).await;
        }
        Ok(InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "lpc-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let can_watch = self.state.read().is_ok_and(|s| s.can_watch_files);
        if can_watch {
            let watchers = ["**/*.c", "**/*.h", "**/*.lpc"]
                .into_iter()
                .map(|glob| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(glob.to_string()),
                    kind: None,
                })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "lpc-lsp/watch".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(error) = self.client.register_capability(vec![registration]).await {
                self.client
                    .log_message(
                        MessageType::WARNING,
                        format!("lpc-lsp: could not watch files: {error}"),
                    )
                    .await;
            }
        }
        self.index_workspace().await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = Settings::from_json(&params.settings);
        let changed = self.state.write().is_ok_and(|mut state| {
            let mut merged = Settings::default().merged(settings);
            // The client resolves the driver config itself and passes it at
            // start-up; a settings sync without one must not drop it.
            if merged.driver_config.is_none() {
                merged.driver_config = state.settings.driver_config.clone();
            }
            let changed = merged != Settings::default() && merged != state.settings;
            if changed {
                state.settings = merged;
            }
            changed
        });
        if !changed {
            return;
        }
        self.rebuild_world();
        let paths: Vec<String> = self
            .state
            .read()
            .map(|s| s.docs.keys().cloned().collect())
            .unwrap_or_default();
        for path in paths {
            self.schedule_check(path);
        }
        self.index_workspace().await;
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(world) = self.world() else { return };
        let document = params.text_document;
        let path = world.vfs.path_of_uri(&document.uri);
        let text: Arc<str> = Arc::from(document.text);
        world.vfs.set_overlay(&path, text.clone());
        if let Ok(mut state) = self.state.write() {
            state.docs.insert(
                path.clone(),
                Document {
                    uri: document.uri,
                    version: document.version,
                    text,
                    analysis: None,
                },
            );
        }
        self.schedule_check(path);
    }

    /// Applies the changes in order, each to the text the one before left.
    /// Nothing here awaits before the new text is stored, so the changes of
    /// the next notification always find this one's text.
    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(world) = self.world() else { return };
        let path = world.vfs.path_of_uri(&params.text_document.uri);
        {
            let Ok(mut state) = self.state.write() else {
                return;
            };
            // Changes to a document that was never opened have no text to
            // apply to.
            let Some(doc) = state.docs.get_mut(&path) else {
                return;
            };
            let mut text = doc.text.to_string();
            for change in params.content_changes {
                match change.range {
                    Some(range) => apply_change(&mut text, range, &change.text),
                    None => text = change.text,
                }
            }
            let text: Arc<str> = Arc::from(text);
            doc.version = params.text_document.version;
            doc.text = text.clone();
            world.vfs.set_overlay(&path, text);
        }
        self.schedule_check(path.clone());
        self.recheck_dependents(&path);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let Some(world) = self.world() else { return };
        let path = world.vfs.path_of_uri(&params.text_document.uri);
        self.schedule_check(path.clone());
        self.file_changed(path).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(world) = self.world() else { return };
        let path = world.vfs.path_of_uri(&params.text_document.uri);
        world.vfs.remove_overlay(&path);
        world.vfs.invalidate(&path);
        self.checks.stop(&path);
        if let Ok(mut state) = self.state.write() {
            state.docs.remove(&path);
        }
        self.client
            .publish_diagnostics(params.text_document.uri, Vec::new(), None)
            .await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let Some(world) = self.world() else { return };
        for change in params.changes {
            let path = world.vfs.path_of_uri(&change.uri);
            self.file_changed(path).await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        self.at_position(&p.text_document.uri, p.position, features::hover::hover)
            .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        self.at_position(
            &p.text_document.uri,
            p.position,
            |world, analysis, offset| {
                features::completion::completion(world, analysis, offset)
                    .map(CompletionResponse::List)
            },
        )
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let p = params.text_document_position_params;
        self.at_position(
            &p.text_document.uri,
            p.position,
            features::signature::signature_help,
        )
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        self.at_position(
            &p.text_document.uri,
            p.position,
            |world, analysis, offset| {
                features::definition::definition(world, analysis, offset)
                    .map(GotoDefinitionResponse::Scalar)
            },
        )
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include_declaration = params.context.include_declaration;
        self.at_position(
            &p.text_document.uri,
            p.position,
            move |world, analysis, offset| {
                features::references::references(world, analysis, offset, include_declaration)
            },
        )
        .await
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = params.text_document_position_params;
        self.at_position(
            &p.text_document.uri,
            p.position,
            features::references::highlight,
        )
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let answer = self
            .at_position(
                &params.text_document.uri,
                params.position,
                |world, analysis, offset| {
                    Some(features::references::prepare_rename(
                        world, analysis, offset,
                    ))
                },
            )
            .await?;
        refused(answer)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let answer = self
            .at_position(
                &p.text_document.uri,
                p.position,
                move |world, analysis, offset| {
                    Some(features::references::rename(
                        world, analysis, offset, &new_name,
                    ))
                },
            )
            .await?;
        refused(answer)
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.on_file(&params.text_document.uri, |world, analysis| {
            let data = features::semantic_tokens::semantic_tokens(world, analysis, None);
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            }))
        })
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        let range = params.range;
        self.on_file(&params.text_document.uri, move |world, analysis| {
            let data = features::semantic_tokens::semantic_tokens(world, analysis, Some(range));
            Some(SemanticTokensRangeResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            }))
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let range = params.range;
        self.on_file(&params.text_document.uri, move |world, analysis| {
            Some(features::inlay::inlay_hints(world, analysis, Some(range)))
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let diagnostics = params.context.diagnostics;
        self.on_file(&params.text_document.uri, move |world, analysis| {
            let actions = features::code_actions::code_actions(world, analysis, &diagnostics);
            (!actions.is_empty()).then_some(actions)
        })
        .await
    }

    async fn prepare_call_hierarchy(
        &self,
        params: CallHierarchyPrepareParams,
    ) -> Result<Option<Vec<CallHierarchyItem>>> {
        let p = params.text_document_position_params;
        self.at_position(&p.text_document.uri, p.position, features::calls::prepare)
            .await
    }

    async fn incoming_calls(
        &self,
        params: CallHierarchyIncomingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyIncomingCall>>> {
        let item = params.item;
        self.at_position(
            &item.uri,
            item.selection_range.start,
            features::calls::incoming,
        )
        .await
    }

    async fn outgoing_calls(
        &self,
        params: CallHierarchyOutgoingCallsParams,
    ) -> Result<Option<Vec<CallHierarchyOutgoingCall>>> {
        let item = params.item;
        self.at_position(
            &item.uri,
            item.selection_range.start,
            features::calls::outgoing,
        )
        .await
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        self.on_file(&params.text_document.uri, |world, analysis| {
            Some(features::links::document_links(world, analysis))
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.on_file(&params.text_document.uri, |_, analysis| {
            Some(DocumentSymbolResponse::Nested(
                features::symbols::document_symbols(analysis),
            ))
        })
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let editor = params.options;
        self.on_file(&params.text_document.uri, move |_, analysis| {
            Some(features::formatting::format_document(analysis, &editor))
        })
        .await
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let (editor, range) = (params.options, params.range);
        self.on_file(&params.text_document.uri, move |_, analysis| {
            Some(features::formatting::format_selection(
                analysis, range, &editor,
            ))
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.on_file(&params.text_document.uri, |_, analysis| {
            Some(features::folding::folding_ranges(analysis))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let Some(world) = self.world() else {
            return Ok(None);
        };
        let query = params.query;
        let cancel = Cancel::new();
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let world = world.with_cancel(cancel);
        let answer = runtime::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| {
                features::symbols::workspace_symbols(&world, &query)
            }))
        })
        .await;
        answer
            .map(|found| Some(WorkspaceSymbolResponse::Flat(found)))
            .map_err(|_| Error::internal_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(uri: &Uri, line: u32, character: u32) -> TextDocumentPositionParams {
        TextDocumentPositionParams {
            text_document: TextDocumentIdentifier { uri: uri.clone() },
            position: Position::new(line, character),
        }
    }

    #[test]
    fn a_panicking_request_answers_with_an_error_and_the_server_goes_on() {
        let (service, _socket) = LspService::new(Backend::new);
        let backend = service.inner();
        runtime::block_on(async {
            let init = backend.initialize(InitializeParams::default()).await;
            assert!(init.is_ok());
            let uri: Uri = "file:///room.c".parse().expect("a URI");
            backend
                .did_open(DidOpenTextDocumentParams {
                    text_document: TextDocumentItem {
                        uri: uri.clone(),
                        language_id: "lpc".into(),
                        version: 1,
                        text: "int answer() { return 42; }\nint f() { return answer(); }\n".into(),
                    },
                })
                .await;
            let panicked = backend
                .on_file(&uri, |_, analysis| -> Option<u8> {
                    let bytes = analysis.text().as_bytes();
                    Some(bytes[bytes.len() + 1])
                })
                .await;
            let error = panicked.expect_err("the panic is an error answer");
            assert_eq!(
                error.code,
                tower_lsp_server::jsonrpc::ErrorCode::InternalError
            );

            // The same document still answers.
            let hover = backend
                .hover(HoverParams {
                    text_document_position_params: at(&uri, 1, 18),
                    work_done_progress_params: WorkDoneProgressParams::default(),
                })
                .await;
            let Ok(Some(hover)) = hover else {
                panic!("no hover after the panic: {hover:?}");
            };
            let HoverContents::Markup(markup) = hover.contents else {
                panic!("hover is markdown");
            };
            assert!(markup.value.contains("int answer()"), "{}", markup.value);
        });
    }
}
