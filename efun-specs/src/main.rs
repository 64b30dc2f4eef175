//! `efun-specs`: maintenance commands for the efun specs.
//!
//! `efun-specs docs [PATH]` rewrites the efun reference page (default
//! `docs/efuns.md` in the workspace); `efun-specs list` prints one
//! `name min max` line per callable efun of a default build.

use std::path::PathBuf;
use std::process::ExitCode;

use efun_specs::{DOCS_PATH, SpecOptions, docs_markdown, load_all};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("docs") => write_docs(args.get(1)),
        Some("list") => list(),
        _ => {
            eprintln!("usage: efun-specs docs [PATH] | efun-specs list");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("efun-specs: {message}");
            ExitCode::FAILURE
        }
    }
}

fn write_docs(path: Option<&String>) -> Result<(), String> {
    let path = match path {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(DOCS_PATH),
    };
    let text = docs_markdown().map_err(|e| e.to_string())?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn list() -> Result<(), String> {
    let table = load_all(&SpecOptions::fluffos_default()).map_err(|e| e.to_string())?;
    for efun in table.callable() {
        let max = efun.max_args.map_or("...".to_string(), |m| m.to_string());
        println!("{} {} {max}", efun.name, efun.min_args);
    }
    Ok(())
}
