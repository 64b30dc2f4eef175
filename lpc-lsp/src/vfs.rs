//! The files the front-end sees: open editor buffers layered over the mudlib
//! on disk, addressed by mudlib path (`/std/room.c`), with a cache of disk
//! reads so that headers shared by hundreds of files are read once.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use lpcc::source::{SourceError, SourceProvider, normalize_path};
use rustc_hash::FxHashMap;
use tower_lsp_server::ls_types::Uri;

/// Editor buffers over a directory (or, in tests, over files held in memory).
#[derive(Debug, Default)]
pub struct Vfs {
    /// The mudlib root on the host; mudlib path `/a/b.c` is `root/a/b.c`.
    root: PathBuf,
    /// Read the disk at all; off in tests, where `disk_cache` holds every file.
    use_disk: bool,
    overlay: RwLock<FxHashMap<String, Arc<str>>>,
    disk_cache: RwLock<FxHashMap<String, Option<Arc<str>>>>,
}

impl Vfs {
    /// A view of the directory `root`.
    pub fn on_disk(root: PathBuf) -> Vfs {
        Vfs {
            root,
            use_disk: true,
            ..Vfs::default()
        }
    }

    /// Files held in memory only, as if under the host directory `root`.
    pub fn in_memory(root: PathBuf, files: &[(String, String)]) -> Vfs {
        let cache = files
            .iter()
            .map(|(path, text)| (normalize_path(path), Some(Arc::from(text.as_str()))))
            .collect();
        Vfs {
            root,
            use_disk: false,
            overlay: RwLock::default(),
            disk_cache: RwLock::new(cache),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Puts an editor buffer over the file at `path`.
    pub fn set_overlay(&self, path: &str, text: Arc<str>) {
        if let Ok(mut overlay) = self.overlay.write() {
            overlay.insert(normalize_path(path), text);
        }
    }

    /// Drops the editor buffer: the disk shows through again.
    pub fn remove_overlay(&self, path: &str) {
        if let Ok(mut overlay) = self.overlay.write() {
            overlay.remove(&normalize_path(path));
        }
    }

    /// Forgets what was read from disk for `path` (it changed there).
    pub fn invalidate(&self, path: &str) {
        if !self.use_disk {
            return;
        }
        if let Ok(mut cache) = self.disk_cache.write() {
            cache.remove(&normalize_path(path));
        }
    }

    /// The host path of a mudlib path.
    pub fn host_path(&self, path: &str) -> PathBuf {
        self.root.join(normalize_path(path).trim_start_matches('/'))
    }

    /// The mudlib path of a host path, when it lies under the root.
    pub fn mudlib_path(&self, host: &Path) -> Option<String> {
        let relative = host.strip_prefix(&self.root).ok()?;
        let text = relative.to_str()?.replace('\\', "/");
        Some(normalize_path(&text))
    }

    /// The mudlib path of a document; documents outside the mudlib get a
    /// path made of their file name, so they are still checked.
    pub fn path_of_uri(&self, uri: &Uri) -> String {
        let Some(host) = uri.to_file_path() else {
            return normalize_path(uri.path().as_str());
        };
        if let Some(path) = self.mudlib_path(&host) {
            return path;
        }
        let name = host
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("unnamed.c");
        normalize_path(name)
    }

    pub fn uri_of_path(&self, path: &str) -> Option<Uri> {
        Uri::from_file_path(self.host_path(path))
    }

    /// The names in a mudlib directory, directories with a trailing `/`,
    /// sorted; for completing paths.
    pub fn list_dir(&self, dir: &str) -> Vec<String> {
        let dir = normalize_path(dir);
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        let mut names: Vec<String> = Vec::new();
        let mut note = |path: &str| {
            if let Some(rest) = path.strip_prefix(&prefix) {
                let name = match rest.split_once('/') {
                    Some((first, _)) => format!("{first}/"),
                    None => rest.to_string(),
                };
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        };
        if let Ok(overlay) = self.overlay.read() {
            overlay.keys().for_each(|p| note(p));
        }
        if self.use_disk {
            if let Ok(entries) = std::fs::read_dir(self.host_path(&dir)) {
                for entry in entries.flatten() {
                    let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                        continue;
                    };
                    if name.starts_with('.') {
                        continue;
                    }
                    let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                    let name = if is_dir { format!("{name}/") } else { name };
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        } else if let Ok(cache) = self.disk_cache.read() {
            cache.keys().for_each(|p| note(p));
        }
        names.sort();
        names
    }

    /// Every LPC file of the mudlib (`.c` and `.h`), as mudlib paths, sorted,
    /// leaving out those under an excluded prefix.
    pub fn all_files(&self, exclude: &[String]) -> Vec<String> {
        let mut found = Vec::new();
        if self.use_disk {
            walk(&self.root, &self.root, &mut found);
        } else if let Ok(cache) = self.disk_cache.read() {
            found.extend(cache.keys().cloned());
        }
        found.retain(|p| is_lpc_source(p) && !is_excluded(p, exclude));
        found.sort();
        found
    }

    fn read_disk(&self, path: &str) -> Result<Arc<str>, SourceError> {
        if let Ok(cache) = self.disk_cache.read()
            && let Some(entry) = cache.get(path)
        {
            return entry.clone().ok_or(SourceError::NotFound);
        }
        if !self.use_disk {
            return Err(SourceError::NotFound);
        }
        let host = self.host_path(path);
        let result = match std::fs::read(&host) {
            Ok(bytes) if !host.is_dir() => Some(Arc::from(String::from_utf8_lossy(&bytes))),
            _ => None,
        };
        if let Ok(mut cache) = self.disk_cache.write() {
            cache.insert(path.to_string(), result.clone());
        }
        result.ok_or(SourceError::NotFound)
    }
}

impl SourceProvider for Vfs {
    fn read(&self, path: &str) -> Result<Arc<str>, SourceError> {
        if let Ok(overlay) = self.overlay.read()
            && let Some(text) = overlay.get(path)
        {
            return Ok(text.clone());
        }
        self.read_disk(path)
    }
}

pub fn is_lpc_source(path: &str) -> bool {
    path.ends_with(".c") || path.ends_with(".h") || path.ends_with(".lpc")
}

/// Whether `path` lies under one of the excluded mudlib prefixes.
pub fn is_excluded(path: &str, exclude: &[String]) -> bool {
    exclude.iter().any(|e| {
        let e = normalize_path(e);
        path == e || path.starts_with(&format!("{}/", e.trim_end_matches('/')))
    })
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name.to_str().is_none_or(|n| n.starts_with('.')) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            walk(root, &path, found);
        } else if kind.is_file()
            && let Ok(relative) = path.strip_prefix(root)
            && let Some(text) = relative.to_str()
        {
            found.push(normalize_path(&text.replace('\\', "/")));
        }
    }
}
