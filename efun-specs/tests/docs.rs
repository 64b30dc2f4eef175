//! The committed efun reference page matches what the specs generate.

use std::path::PathBuf;

use efun_specs::{DOCS_COMMAND, DOCS_PATH, docs_markdown};

#[test]
fn committed_docs_are_fresh() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(DOCS_PATH);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = docs_markdown().expect("specs load");
    assert!(
        committed == generated,
        "{DOCS_PATH} is stale or missing; regenerate it with `{DOCS_COMMAND}`"
    );
}

#[test]
fn docs_list_signatures_and_summaries() {
    let page = docs_markdown().expect("specs load");
    assert!(page.contains("## core"));
    assert!(
        page.contains("- `object load_object(string, int default: 1)` (alias of `find_object`) — ")
    );
    assert!(page.contains("- `int external_kill(int, int)` *extension* — "));
    assert!(page.contains("## dwlib\n\n`__PACKAGE_DWLIB__` · off by default"));
    assert!(!page.contains("_call_other("));
}
