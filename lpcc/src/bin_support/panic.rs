//! Panics: one file's internal error must not end a run over a whole mudlib,
//! and any other panic ends it with a short request to report the bug.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};

/// Exit status after a panic outside a file check, the same as Rust's own
/// for a panicking program, so it cannot be mistaken for "errors found" (1)
/// or "bad usage" (2).
pub const PANIC_EXIT_CODE: i32 = 101;

thread_local! {
    /// Whether this thread is inside [`guarded`]: its panics are caught.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// What the hook saw of the last caught panic on this thread.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Replaces the default panic output: panics inside [`guarded`] are recorded
/// silently for the caller to report; any other ends the process.
pub fn install_hook() {
    panic::set_hook(Box::new(|info| {
        let message = describe(payload_text(info.payload()), info.location());
        if GUARDED.get() {
            LAST_PANIC.set(Some(message));
            return;
        }
        eprintln!("internal error, please report: {message}");
        std::process::exit(PANIC_EXIT_CODE);
    }));
}

/// Runs `f`, turning a panic into an error message.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = GUARDED.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.set(outer);
    result.map_err(|payload| {
        LAST_PANIC
            .take()
            .unwrap_or_else(|| describe(payload_text(payload.as_ref()), None))
    })
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        return text;
    }
    if let Some(text) = payload.downcast_ref::<String>() {
        return text;
    }
    "unknown panic"
}

fn describe(text: &str, location: Option<&panic::Location<'_>>) -> String {
    match location {
        Some(at) => format!("{text} (at {}:{})", at.file(), at.line()),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_panics() {
        assert_eq!(guarded(|| 7), Ok(7));
        let caught = guarded(|| -> u32 { panic!("boom {}", 3) });
        assert_eq!(caught, Err("boom 3".to_string()));
        let caught = guarded(|| -> u32 { std::panic::panic_any(5u8) });
        assert_eq!(caught, Err("unknown panic".to_string()));
        assert!(!GUARDED.get());
    }

    #[test]
    fn describes_locations() {
        let here = panic::Location::caller();
        let text = describe("oops", Some(here));
        assert!(text.starts_with("oops (at "), "{text}");
        assert!(text.ends_with(&format!(":{})", here.line())), "{text}");
    }
}
