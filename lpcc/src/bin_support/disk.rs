//! The mudlib on disk: a [`SourceProvider`] over a directory, and finding
//! the files to check in it.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use lpcc::source::{SourceError, SourceProvider, normalize_path, text_from_bytes};

/// Reads mudlib paths (`/std/room.c`) from files under one directory.
/// Paths that climb above the mudlib root are refused; symbolic links are
/// followed, as the driver follows them.
#[derive(Debug)]
pub struct DiskProvider {
    root: PathBuf,
    /// Mudlib paths whose bytes were not all UTF-8.
    lossy: Mutex<HashSet<String>>,
}

impl DiskProvider {
    pub fn new(root: PathBuf) -> DiskProvider {
        DiskProvider {
            root,
            lossy: Mutex::default(),
        }
    }

    /// The host path of a mudlib path, or `None` when it would leave the mudlib.
    pub fn host_path(&self, path: &str) -> Option<PathBuf> {
        let mut depth = 0usize;
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => depth = depth.checked_sub(1)?,
                _ => depth += 1,
            }
        }
        let normal = normalize_path(path);
        Some(self.root.join(normal.trim_start_matches('/')))
    }
}

impl SourceProvider for DiskProvider {
    fn read(&self, path: &str) -> Result<Arc<str>, SourceError> {
        let Some(host) = self.host_path(path) else {
            return Err(SourceError::Unreadable(
                "the path leads outside the mudlib directory".into(),
            ));
        };
        if host.is_dir() {
            return Err(SourceError::Unreadable("it is a directory".into()));
        }
        match fs::read(&host) {
            Ok(bytes) => {
                let (text, lossy) = text_from_bytes(&bytes);
                if lossy && let Ok(mut set) = self.lossy.lock() {
                    set.insert(normalize_path(path));
                }
                Ok(text)
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => Err(SourceError::NotFound),
            Err(error) => Err(SourceError::Unreadable(error.to_string())),
        }
    }

    fn exists(&self, path: &str) -> bool {
        self.host_path(path).is_some_and(|host| host.is_file())
    }

    fn had_invalid_utf8(&self, path: &str) -> bool {
        self.lossy
            .lock()
            .is_ok_and(|set| set.contains(&normalize_path(path)))
    }
}

/// Whether a file name is one `lpcc check` picks up when walking directories.
pub fn is_lpc_file(name: &str) -> bool {
    name.ends_with(".c") || name.ends_with(".lpc")
}

/// The mudlib paths of every LPC file under `dir` (a host directory inside
/// `root`), sorted. Entries whose names start with `.` are skipped (version
/// control and editor files); symbolic links to directories are not followed,
/// so a link cycle cannot make the walk endless.
pub fn lpc_files_under(root: &Path, dir: &Path) -> io::Result<Vec<String>> {
    let mut found = Vec::new();
    walk(root, dir, &mut found)?;
    found.sort();
    Ok(found)
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<String>) -> io::Result<()> {
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(root, &path, found)?;
        } else if is_lpc_file(&name)
            && path.is_file()
            && let Some(mudlib_path) = mudlib_path(root, &path)
        {
            found.push(mudlib_path);
        }
    }
    Ok(())
}

/// The mudlib path of a host path under `root`; both must be in the same
/// form (both canonical, or both built from `root`).
pub fn mudlib_path(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for part in relative.components() {
        match part {
            std::path::Component::Normal(name) => {
                out.push('/');
                out.push_str(&name.to_string_lossy());
            }
            _ => return None,
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mudlib(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, bytes) in files {
            let host = dir.path().join(path);
            fs::create_dir_all(host.parent().unwrap()).unwrap();
            fs::write(host, bytes).unwrap();
        }
        dir
    }

    #[test]
    fn reads_mudlib_paths() {
        let dir = mudlib(&[("std/room.c", b"int x;"), ("bad.c", b"a\xffb")]);
        let provider = DiskProvider::new(dir.path().to_path_buf());
        assert_eq!(provider.read("/std/room.c").as_deref(), Ok("int x;"));
        assert_eq!(provider.read("/std/./x/../room.c").as_deref(), Ok("int x;"));
        assert_eq!(provider.read("/bad.c").as_deref(), Ok("a\u{fffd}b"));
        assert_eq!(provider.read("/none.c"), Err(SourceError::NotFound));
        assert!(provider.exists("/std/room.c"));
        assert!(!provider.exists("/std"));
        assert_eq!(
            provider.read("/std"),
            Err(SourceError::Unreadable("it is a directory".into()))
        );
    }

    #[test]
    fn refuses_paths_outside_the_mudlib() {
        let dir = mudlib(&[("lib/a.c", b"")]);
        fs::write(dir.path().join("secret.c"), "x").unwrap();
        let provider = DiskProvider::new(dir.path().join("lib"));
        assert!(provider.read("/a.c").is_ok());
        for escape in ["/../secret.c", "/x/../../secret.c", "../secret.c"] {
            assert!(
                matches!(provider.read(escape), Err(SourceError::Unreadable(_))),
                "{escape}"
            );
            assert!(!provider.exists(escape), "{escape}");
        }
    }

    #[test]
    fn walks_lpc_files_only() {
        let dir = mudlib(&[
            ("b.c", b""),
            ("a.lpc", b""),
            ("notes.txt", b""),
            ("include/defs.h", b""),
            ("d/z.c", b""),
            ("d/sub/y.c", b""),
            (".git/x.c", b""),
            ("obj.c.bak", b""),
        ]);
        let root = dir.path();
        assert_eq!(
            lpc_files_under(root, root).unwrap(),
            ["/a.lpc", "/b.c", "/d/sub/y.c", "/d/z.c"]
        );
        assert_eq!(
            lpc_files_under(root, &root.join("d")).unwrap(),
            ["/d/sub/y.c", "/d/z.c"]
        );
    }

    #[test]
    fn mudlib_paths() {
        let root = Path::new("/srv/lib");
        assert_eq!(
            mudlib_path(root, Path::new("/srv/lib/std/room.c")).as_deref(),
            Some("/std/room.c")
        );
        assert_eq!(mudlib_path(root, root).as_deref(), Some("/"));
        assert_eq!(mudlib_path(root, Path::new("/srv/other.c")), None);
    }
}
