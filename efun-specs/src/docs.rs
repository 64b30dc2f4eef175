//! Renders the efun reference page `docs/efuns.md` from the loaded specs.

use std::fmt::Write;

use crate::error::SpecError;
use crate::model::{Efun, Origin};
use crate::table::{EfunTable, SpecOptions, load_all, package, package_macro};

/// The command that regenerates the page, for messages and the page header.
pub const DOCS_COMMAND: &str = "cargo run -p efun-specs -- docs";

/// Workspace-relative path of the generated page.
pub const DOCS_PATH: &str = "docs/efuns.md";

/// The page for every package under the default option symbols.
pub fn docs_markdown() -> Result<String, SpecError> {
    let table = load_all(&SpecOptions::all_packages())?;
    Ok(render_markdown(&table))
}

/// One section per package listing each callable efun's signature and summary.
pub fn render_markdown(table: &EfunTable) -> String {
    let mut out = String::new();
    let callable = table.callable().count();
    let _ = writeln!(out, "# Efuns\n");
    let _ = writeln!(
        out,
        "Generated from `efun-specs/specs/*.spec` by `{DOCS_COMMAND}`; edit the specs, not this page.\n"
    );
    let _ = writeln!(
        out,
        "{callable} efuns (aliases included) in {} packages. Packages marked *off by default* \
         are not part of a default build; efuns marked *extension* are ones this toolchain \
         adds to the FluffOS set.\n",
        table.packages().len()
    );
    for name in table.packages() {
        let efuns: Vec<&Efun> = table.in_package(name).filter(|e| !e.internal).collect();
        let _ = writeln!(out, "## {name}\n");
        let mut notes = vec![format!("`{}`", package_macro(name))];
        if let Some(package) = package(name) {
            if !package.default_on {
                notes.push("off by default".into());
            }
            if package.origin == Origin::Extension {
                notes.push("extension".into());
            }
        }
        notes.push(format!("{} efuns", efuns.len()));
        let _ = writeln!(out, "{}\n", notes.join(" · "));
        if efuns.is_empty() {
            let _ = writeln!(out, "Interpreter operators only.\n");
            continue;
        }
        for efun in efuns {
            let _ = write!(out, "- `{}`", efun.signature());
            // An alias of an internal `_name` is simply the public name of that entry point.
            let public_target = efun.alias_of.as_ref().filter(|t| !t.starts_with('_'));
            if let Some(target) = public_target {
                let _ = write!(out, " (alias of `{target}`)");
            }
            if efun.origin == Origin::Extension && table_origin(name) != Origin::Extension {
                let _ = write!(out, " *extension*");
            }
            if !efun.doc.summary.is_empty() {
                let _ = write!(out, " — {}", efun.doc.summary);
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn table_origin(package_name: &str) -> Origin {
    package(package_name).map_or(Origin::FluffOs, |p| p.origin)
}
