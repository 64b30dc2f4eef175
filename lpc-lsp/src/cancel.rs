//! Cancellation: a flag that long front-end work polls between files, the
//! guard that raises it when a request's future is dropped (which is how
//! `$/cancelRequest` ends a request), and the latest diagnostics check of
//! each open file, so that a newer version cancels the check of an older one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

/// A flag shared between whoever may cancel some work and the work itself.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn same(&self, other: &Cancel) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Raises its flag when dropped. A request's future holds one while its
/// work runs on the blocking pool: the protocol layer drops the future of a
/// cancelled request, and the work, which cannot be dropped, sees the flag.
/// Raising it after the work is done is harmless.
#[derive(Debug)]
pub struct CancelOnDrop(pub Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// The latest diagnostics check asked for each open file.
#[derive(Debug, Default)]
pub struct Checks {
    latest: Mutex<FxHashMap<String, Cancel>>,
}

impl Checks {
    /// A check of `path` is asked for: the one before it, if any, is
    /// cancelled, since its answer would be for an older text.
    pub fn start(&self, path: &str) -> Cancel {
        let cancel = Cancel::new();
        if let Ok(mut latest) = self.latest.lock()
            && let Some(older) = latest.insert(path.to_string(), cancel.clone())
        {
            older.cancel();
        }
        cancel
    }

    /// The file was closed: its pending check is of no use.
    pub fn stop(&self, path: &str) {
        if let Ok(mut latest) = self.latest.lock()
            && let Some(pending) = latest.remove(path)
        {
            pending.cancel();
        }
    }

    /// The check `cancel` belongs to is over; forget it unless a newer one
    /// took its place.
    pub fn finish(&self, path: &str, cancel: &Cancel) {
        if let Ok(mut latest) = self.latest.lock()
            && latest.get(path).is_some_and(|c| c.same(cancel))
        {
            latest.remove(path);
        }
    }

    /// Every check cancelled, for a world being replaced.
    pub fn stop_all(&self) {
        if let Ok(mut latest) = self.latest.lock() {
            for (_, pending) in latest.drain() {
                pending.cancel();
            }
        }
    }

    /// How many checks are pending.
    pub fn pending(&self) -> usize {
        self.latest.lock().map_or(0, |l| l.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `steps` on a fresh `Checks`, each `+path` starting a check,
    /// `-path` stopping one and `=path` finishing the oldest check of that
    /// path, and shows which of the started checks ended up cancelled.
    fn check(steps: &[&str], expect: &str) {
        let checks = Checks::default();
        let mut started: Vec<(String, Cancel)> = Vec::new();
        for step in steps {
            let (op, path) = step.split_at(1);
            match op {
                "+" => started.push((path.to_string(), checks.start(path))),
                "-" => checks.stop(path),
                "=" => {
                    if let Some((_, c)) = started.iter().find(|(p, _)| p == path) {
                        checks.finish(path, c);
                    }
                }
                _ => panic!("unknown step {step}"),
            }
        }
        let shown: Vec<String> = started
            .iter()
            .map(|(p, c)| format!("{p}:{}", if c.is_cancelled() { "x" } else { "ok" }))
            .collect();
        let got = format!("{} pending={}", shown.join(" "), checks.pending());
        assert_eq!(got, expect);
    }

    #[test]
    fn a_newer_check_cancels_the_older_of_the_same_file() {
        check(
            &["+/a.c", "+/b.c", "+/a.c"],
            "/a.c:x /b.c:ok /a.c:ok pending=2",
        );
        check(&["+/a.c", "-/a.c"], "/a.c:x pending=0");
        check(&["+/a.c", "=/a.c", "+/a.c"], "/a.c:ok /a.c:ok pending=1");
        // A finished older check does not forget the newer one.
        check(&["+/a.c", "+/a.c", "=/a.c"], "/a.c:x /a.c:ok pending=1");
    }

    #[test]
    fn dropping_the_guard_cancels() {
        let cancel = Cancel::new();
        let guard = CancelOnDrop(cancel.clone());
        assert!(!cancel.is_cancelled());
        drop(guard);
        assert!(cancel.is_cancelled());
    }
}
