//! The state every feature reads: the configuration, the files, the efun
//! specs and the index of per-file summaries, which fills up in the
//! background at start-up and on demand for files not indexed yet.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use efun_specs::EfunTable;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::{FileAnalysis, FileSummary, Symbol, analyze, summarize, text_hash};
use crate::cancel::Cancel;
use crate::config::WorkspaceConfig;
use crate::uses::{FileUses, UsesIndex, resolve_file};
use crate::vfs::Vfs;
use lpcc::source::SourceProvider;

/// Summaries of the mudlib's files by mudlib path.
#[derive(Debug, Default)]
pub struct Index {
    files: RwLock<FxHashMap<String, Arc<FileSummary>>>,
    /// Held while a checked document's summary replaces the old one, so that
    /// a check overtaken by a newer one cannot put back an older summary.
    refreshing: Mutex<()>,
}

impl Index {
    pub fn get(&self, path: &str) -> Option<Arc<FileSummary>> {
        self.files.read().ok()?.get(path).cloned()
    }

    pub fn insert(&self, summary: FileSummary) -> Arc<FileSummary> {
        let summary = Arc::new(summary);
        if let Ok(mut files) = self.files.write() {
            files.insert(summary.path.clone(), summary.clone());
        }
        summary
    }

    pub fn remove(&self, path: &str) {
        if let Ok(mut files) = self.files.write() {
            files.remove(path);
        }
    }

    pub fn len(&self) -> usize {
        self.files.read().map_or(0, |f| f.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every summary, for searches over the whole workspace.
    pub fn all(&self) -> Vec<Arc<FileSummary>> {
        self.files
            .read()
            .map(|f| f.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The indexed files that include or inherit `path`.
    pub fn dependents(&self, path: &str) -> Vec<String> {
        let Ok(files) = self.files.read() else {
            return Vec::new();
        };
        files
            .values()
            .filter(|s| {
                s.includes.iter().any(|i| i == path) || s.inherits.iter().any(|(i, _)| i == path)
            })
            .map(|s| s.path.clone())
            .collect()
    }
}

pub struct World {
    pub config: Arc<WorkspaceConfig>,
    pub vfs: Arc<Vfs>,
    pub index: Arc<Index>,
    /// Resolved names of the indexed files, for references and rename.
    pub uses: Arc<UsesIndex>,
    pub efuns: Arc<EfunTable>,
    /// Raised when the work this world was handed to is no longer wanted:
    /// long loops over the workspace poll it between files.
    pub cancel: Cancel,
}

impl Clone for World {
    fn clone(&self) -> World {
        World {
            config: self.config.clone(),
            vfs: self.vfs.clone(),
            index: self.index.clone(),
            uses: self.uses.clone(),
            efuns: self.efuns.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

/// Every efun of every package, for hover and completion: code may enable any.
pub fn load_efuns() -> EfunTable {
    efun_specs::load_all(&efun_specs::SpecOptions::all_packages())
        .or_else(|_| efun_specs::load_all(&efun_specs::SpecOptions::default()))
        .unwrap_or_default()
}

impl World {
    pub fn new(config: WorkspaceConfig, vfs: Vfs, efuns: Arc<EfunTable>) -> World {
        World {
            config: Arc::new(config),
            vfs: Arc::new(vfs),
            index: Arc::new(Index::default()),
            uses: Arc::new(UsesIndex::default()),
            efuns,
            cancel: Cancel::new(),
        }
    }

    /// The same world, for work that `cancel` can stop.
    pub fn with_cancel(&self, cancel: Cancel) -> World {
        World {
            cancel,
            ..self.clone()
        }
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Preprocesses and parses the file at `path` as it is now.
    pub fn analyze_path(&self, path: &str) -> Option<FileAnalysis> {
        let text = self.vfs.read(path).ok()?;
        Some(analyze(&*self.vfs, path, text, &self.config.check))
    }

    /// The summary of `path`, from the index or made now.
    pub fn summary(&self, path: &str) -> Option<Arc<FileSummary>> {
        if let Some(summary) = self.index.get(path) {
            return Some(summary);
        }
        let analysis = self.analyze_path(path)?;
        Some(self.index.insert(summarize(&*self.vfs, &analysis)))
    }

    /// Re-summarizes a file that changed, and forgets what depended on it:
    /// inherited summaries when it is inherited or a header, and the
    /// resolved names of its heirs when its declarations changed.
    pub fn refresh(&self, analysis: &FileAnalysis) -> Arc<FileSummary> {
        let path = &analysis.path;
        let new = summarize(&*self.vfs, analysis);
        let old = self.index.get(path);
        let declarations_changed = old.as_ref().is_none_or(|old| {
            let names = |s: &FileSummary| -> Vec<(smol_str::SmolStr, crate::analysis::SymbolKind)> {
                let mut names: Vec<_> =
                    s.symbols.iter().map(|s| (s.name.clone(), s.kind)).collect();
                names.sort();
                names
            };
            names(old) != names(&new) || old.inherits != new.inherits
        });
        let cache = &self.config.check.inherit_cache;
        if cache.get(path).is_some() {
            cache.clear();
        }
        self.uses.remove(path);
        if declarations_changed && old.is_some() {
            for heir in self.heirs(path) {
                self.uses.remove(&heir);
            }
        }
        self.index.insert(new)
    }

    /// The summary of the file `analysis` is of, as its text is now: the
    /// index's when made from the same text, else made now. It is not
    /// stored: the index holds what the latest check of the file saw, and
    /// a request on a text that changed since must neither wait for that
    /// check nor race it.
    pub fn own_summary(&self, analysis: &FileAnalysis) -> Arc<FileSummary> {
        if let Some(summary) = self.index.get(&analysis.path)
            && summary.text_hash == text_hash(analysis.text())
        {
            return summary;
        }
        Arc::new(summarize(&*self.vfs, analysis))
    }

    /// [`World::refresh`], unless this world's work was cancelled. Checks of
    /// one document run side by side; a newer one cancels the older before
    /// it starts, and the cancel flag is read under the same lock the newer
    /// check's refresh takes, so the last summary stored is the newest.
    pub fn refresh_unless_cancelled(&self, analysis: &FileAnalysis) -> Option<Arc<FileSummary>> {
        let _refreshing = self.index.refreshing.lock().ok()?;
        if self.cancelled() {
            return None;
        }
        Some(self.refresh(analysis))
    }

    /// The indexed files that inherit `path`, directly or not.
    pub fn heirs(&self, path: &str) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        let mut queue = vec![path.to_string()];
        while let Some(next) = queue.pop() {
            for summary in self.index.all() {
                if summary.inherits.iter().any(|(p, _)| *p == next)
                    && !found.contains(&summary.path)
                {
                    found.push(summary.path.clone());
                    queue.push(summary.path.clone());
                }
            }
        }
        found
    }

    /// A header or inherited file changed on disk or in the editor: the
    /// files that include or inherit it are summarised again, their
    /// resolved names forgotten. Returns the files re-summarised.
    pub fn refresh_dependents(&self, path: &str) -> Vec<String> {
        self.config.check.inherit_cache.clear();
        let mut dependents = self.index.dependents(path);
        for heir in self.heirs(path) {
            if !dependents.contains(&heir) {
                dependents.push(heir);
            }
        }
        let summaries: Vec<FileSummary> = dependents
            .par_iter()
            .filter_map(|p| {
                self.uses.remove(p);
                let analysis = self.analyze_path(p)?;
                Some(summarize(&*self.vfs, &analysis))
            })
            .collect();
        for summary in summaries {
            self.index.insert(summary);
        }
        dependents
    }

    /// The resolved names of the file at `path` (no locals), from the index
    /// or worked out now.
    pub fn file_uses(&self, path: &str) -> Option<Arc<FileUses>> {
        if let Some(uses) = self.uses.get(path) {
            return Some(uses);
        }
        let analysis = self.analyze_path(path)?;
        Some(self.uses.insert(resolve_file(self, &analysis, false)))
    }

    /// The summaries of everything `summary` inherits, nearest first, each once.
    pub fn inherited(&self, summary: &FileSummary) -> Vec<Arc<FileSummary>> {
        let mut seen: FxHashSet<String> = FxHashSet::default();
        seen.insert(summary.path.clone());
        let mut queue: Vec<String> = summary.inherits.iter().map(|(p, _)| p.clone()).collect();
        let mut out = Vec::new();
        let mut next = 0;
        while next < queue.len() && out.len() < 256 {
            let path = queue[next].clone();
            next += 1;
            if !seen.insert(path.clone()) {
                continue;
            }
            let Some(inherited) = self.summary(&path) else {
                continue;
            };
            queue.extend(inherited.inherits.iter().map(|(p, _)| p.clone()));
            out.push(inherited);
        }
        out
    }

    /// The simul_efun object's summary, when the configuration names one.
    pub fn simul_efuns(&self) -> Option<Arc<FileSummary>> {
        let path = self.config.simul_efun.as_deref()?;
        self.summary(path)
    }

    /// The functions callable from a file with the summary `own` by plain
    /// name: its own, its inherited ones, then simul_efuns; first one wins.
    pub fn visible_symbols(&self, own: &FileSummary) -> Vec<Symbol> {
        self.visible_symbols_of(own, true)
    }

    /// As [`World::visible_symbols`]; simul_efuns only with `simul`.
    pub fn visible_symbols_of(&self, own: &FileSummary, simul: bool) -> Vec<Symbol> {
        let mut out: Vec<Symbol> = Vec::new();
        let mut seen: FxHashSet<(smol_str::SmolStr, crate::analysis::SymbolKind)> =
            FxHashSet::default();
        let mut add = |symbols: &[Symbol], out: &mut Vec<Symbol>| {
            // A definition beats its prototype, which comes first in the file.
            for symbol in symbols
                .iter()
                .filter(|s| !s.prototype)
                .chain(symbols.iter().filter(|s| s.prototype))
            {
                if seen.insert((symbol.name.clone(), symbol.kind)) {
                    out.push(symbol.clone());
                }
            }
        };
        add(&own.symbols, &mut out);
        for inherited in self.inherited(own) {
            add(&inherited.symbols, &mut out);
        }
        if let Some(simul) = self.simul_efuns().filter(|_| simul) {
            let functions: Vec<Symbol> = simul
                .symbols
                .iter()
                .filter(|s| s.kind == crate::analysis::SymbolKind::Function)
                .cloned()
                .collect();
            add(&functions, &mut out);
        }
        out
    }

    /// Indexes every file of the mudlib in parallel; `done` counts files as
    /// they finish. Returns how many files were indexed.
    pub fn index_workspace(&self, done: &AtomicUsize, total: &AtomicUsize) -> usize {
        let files = self.vfs.all_files(&self.config.exclude);
        total.store(files.len(), Ordering::Relaxed);
        let summaries: Vec<(FileSummary, FileUses)> = files
            .par_iter()
            .filter(|path| path.ends_with(".c") || path.ends_with(".lpc"))
            .filter_map(|path| {
                // A rebuilt world starts its own index run.
                if self.cancelled() {
                    return None;
                }
                let analysis = self.analyze_path(path);
                done.fetch_add(1, Ordering::Relaxed);
                let analysis = analysis?;
                let summary = summarize(&*self.vfs, &analysis);
                Some((summary, resolve_file(self, &analysis, false)))
            })
            .collect();
        let count = summaries.len();
        for (summary, uses) in summaries {
            if self.index.get(&summary.path).is_none() {
                self.index.insert(summary);
            }
            if self.uses.get(&uses.path).is_none() {
                self.uses.insert(uses);
            }
        }
        done.store(files.len(), Ordering::Relaxed);
        count
    }
}
