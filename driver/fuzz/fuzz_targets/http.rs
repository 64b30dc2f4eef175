//! Fuzzes the HTTP request head parser of websocket ports and the mapping
//! of request targets to files: no panic, and no path outside the
//! directory served.
#![no_main]

use std::path::{Component, Path};

use driver::net::ws::{Request, file_path, parse_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let head = String::from_utf8_lossy(data);
    let dir = Path::new("/srv/www");
    if let Request::File(target) = parse_request(&head) {
        check_inside(dir, &target);
    }
    check_inside(dir, &head);
});

fn check_inside(dir: &Path, target: &str) {
    let Some(path) = file_path(dir, target) else {
        return;
    };
    assert!(path.starts_with(dir), "{target:?} maps to {path:?}");
    assert!(
        !path.components().any(|c| matches!(c, Component::ParentDir)),
        "{target:?} maps to {path:?}"
    );
}
