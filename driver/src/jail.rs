//! The mudlib jail: every path a file efun touches goes through [`check`],
//! which keeps it inside the mudlib directory (no `..`, no NUL byte, no
//! symlink leading out) and asks the master's `valid_read` / `valid_write`
//! whether the running object may use it.

use std::path::{Path, PathBuf};

use crate::vm::value::Value;
use crate::vm::{Unwind, Vm};

/// What an efun means to do with a path: decides which master apply is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// A path the jail let through.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The mudlib path, normalized: `/d/town/room.c`, `/` for the root.
    pub mud: String,
    /// Where it lives on the host.
    pub host: PathBuf,
}

/// The mudlib path of `path`, normalized, or `None` when it is not a legal
/// mudlib path: a NUL byte, or a `..` component (mudlib paths never climb).
/// A relative path counts from the root, as the driver has no current directory.
pub fn normalize(path: &str) -> Option<String> {
    if path.contains('\0') {
        return None;
    }
    let mut out = String::with_capacity(path.len() + 1);
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => {
                out.push('/');
                out.push_str(p);
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// The host path of the normalized mudlib path `mud` under `root`, when
/// it stays inside `root` after every symlink is followed. A path that does
/// not exist yet is judged by its deepest existing ancestor, so a file about
/// to be created cannot land outside either.
pub fn contain(root: &Path, mud: &str) -> Option<PathBuf> {
    let host = root.join(mud.trim_start_matches('/'));
    let root = std::fs::canonicalize(root).ok()?;
    let mut probe: &Path = &host;
    loop {
        match std::fs::symlink_metadata(probe) {
            // A dangling symlink cannot be resolved, so where a write through
            // it would land is unknown: refuse it.
            Ok(_) => {
                let real = std::fs::canonicalize(probe).ok()?;
                return real.starts_with(&root).then_some(host);
            }
            Err(_) => probe = probe.parent()?,
        }
    }
}

/// Checks `path` for `efun` on behalf of the running object: the master's
/// `valid_read(path, ob, efun)` or `valid_write(path, ob, efun)` when it
/// defines them (a 0 denies, a string replaces the path), then the jail.
/// `None` when access is denied or the path is illegal.
pub fn check(
    vm: &mut Vm,
    path: &str,
    efun: &str,
    access: Access,
) -> Result<Option<Checked>, Unwind> {
    let mut path = path.to_string();
    if let Some(master) = vm.master {
        // Only a live object may touch files once the master is up.
        let Some(caller) = vm.this_object().filter(|&r| vm.objects.alive(r)) else {
            return Ok(None);
        };
        let apply = match access {
            Access::Read => "valid_read",
            Access::Write => "valid_write",
        };
        let args = vec![
            Value::str(path.clone()),
            Value::Object(caller),
            Value::str(efun),
        ];
        match vm.apply(master, apply, args, true)? {
            Some(Value::Str(s)) => path = s.text.to_string(),
            Some(v) if !v.truthy() => return Ok(None),
            _ => {}
        }
    }
    let Some(mud) = normalize(&path) else {
        return Ok(None);
    };
    let Some(host) = contain(&vm.compiler.provider.root, &mud) else {
        return Ok(None);
    };
    Ok(Some(Checked { mud, host }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_keeps_paths_in_the_mudlib() {
        assert_eq!(normalize("a/b").as_deref(), Some("/a/b"));
        assert_eq!(normalize("/u/.").as_deref(), Some("/u"));
        assert_eq!(normalize("//x//y/").as_deref(), Some("/x/y"));
        assert_eq!(normalize("").as_deref(), Some("/"));
        assert_eq!(normalize("/a/../b"), None);
        assert_eq!(normalize(".."), None);
        assert_eq!(normalize("/a\0b"), None);
    }

    #[test]
    fn contain_refuses_symlinks_leading_out() {
        let outside = tempfile::tempdir().expect("temporary directory");
        let root = tempfile::tempdir().expect("temporary directory");
        std::fs::write(outside.path().join("secret"), "x").expect("write");
        std::fs::create_dir(root.path().join("d")).expect("mkdir");
        assert!(contain(root.path(), "/d/new_file").is_some());
        assert!(contain(root.path(), "/missing/deeper/file").is_some());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), root.path().join("out")).expect("link");
            std::os::unix::fs::symlink(outside.path().join("gone"), root.path().join("dangling"))
                .expect("link");
            std::os::unix::fs::symlink(root.path().join("d"), root.path().join("inside"))
                .expect("link");
            assert!(contain(root.path(), "/out").is_none());
            assert!(contain(root.path(), "/out/secret").is_none());
            assert!(contain(root.path(), "/out/new").is_none());
            assert!(contain(root.path(), "/dangling").is_none());
            assert!(contain(root.path(), "/inside/new").is_some());
        }
    }
}
