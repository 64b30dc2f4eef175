//! Runs each LPC test of `tests/vm` in the driver: the master loads the
//! file, calls its `run()`, and reports PASS or FAIL with the failing lines.

use std::path::Path;
use std::process::Command;

mod common;
use common::copy_dir;

/// The driver's output (stdout and stderr) for `-fNAME` on the test mudlib.
fn run_driver(name: &str) -> String {
    run_driver_with(name, &|_| {})
}

/// Like [`run_driver`], after `setup` has changed the mudlib copy.
fn run_driver_with(name: &str, setup: &dyn Fn(&Path)) -> String {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_dir(&source, dir.path());
    setup(dir.path());
    let output = Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.test")
        .arg(format!("-f{name}"))
        .current_dir(dir.path())
        .output()
        .expect("driver runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn run_lpc_test(name: &str) {
    let output = run_driver(name);
    assert!(output.contains(&format!("PASS {name}")), "{name}: {output}");
}

#[test]
fn uncaught_errors_print_a_trace() {
    let output = run_driver("uncaught");
    assert!(output.contains("*Division by zero"), "{output}");
    assert!(output.contains("'helper' at /uncaught.c:3"), "{output}");
    assert!(output.contains("'run' at /uncaught.c:7"), "{output}");
}

#[test]
fn eval_cost_unwinds_past_catch() {
    let output = run_driver("evalcost");
    assert!(output.contains("Too long evaluation"), "{output}");
    assert!(!output.contains("the loop was caught"), "{output}");
}

#[test]
fn arithmetic() {
    run_lpc_test("arithmetic");
}

#[test]
fn control() {
    run_lpc_test("control");
}

#[test]
fn values() {
    run_lpc_test("values");
}

#[test]
fn inherit() {
    run_lpc_test("inherit");
}

#[test]
fn objects() {
    run_lpc_test("objects");
}

#[test]
fn call_frames() {
    run_lpc_test("call_frames");
}

#[test]
fn errors() {
    run_lpc_test("errors");
}

#[test]
fn bytecode_files_load_after_verification() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let read = |name: &str| std::fs::read_to_string(root.join(name)).expect("test source");
    let provider = lpcc::source::MemoryProvider::new()
        .with("/binary.c", &read("arithmetic.c"))
        .with("/check.h", &read("check.h"));
    let config = lpcc::check::CheckConfig::new(None, &lpcc::check::CommandLineSettings::default());
    let program =
        lpcc::codegen::compile_file(&provider, "/binary.c", &config, &mut Default::default())
            .expect("compiles");
    let bytes = lpcc::bytecode::file::write(&program);
    let output = run_driver_with("binary", &|dir| {
        std::fs::write(dir.join("binary.lpcb"), &bytes).expect("write bytecode");
    });
    assert!(output.contains("PASS binary"), "{output}");
    // A corrupt file is refused, not run.
    let output = run_driver_with("binary", &|dir| {
        let mut bad = bytes.clone();
        let last = bad.len() - 20;
        bad.truncate(last);
        std::fs::write(dir.join("binary.lpcb"), &bad).expect("write bytecode");
    });
    assert!(output.contains("FAIL binary"), "{output}");
}

#[test]
fn destructed_objects_in_containers() {
    run_lpc_test("destructed_in_containers");
}

#[test]
fn references() {
    run_lpc_test("references");
}

#[test]
fn classes() {
    run_lpc_test("classes");
}

#[test]
fn foreach_ref() {
    run_lpc_test("foreach_ref");
}

#[test]
fn limits() {
    run_lpc_test("limits");
}

#[test]
fn declared_types() {
    run_lpc_test("declared_types");
}

#[test]
fn typed_reads() {
    run_lpc_test("typed_reads");
}

#[test]
fn string_index() {
    run_lpc_test("string_index");
}

#[test]
fn members() {
    run_lpc_test("members");
}

#[test]
fn buffers() {
    run_lpc_test("buffers");
}

#[test]
fn variable_functional() {
    run_lpc_test("variable_functional");
}

/// Runs every `.c` file of `tests/vm/DIR` in one driver process (only those
/// whose name contains `LPC_TEST_FILTER`, when set) and fails naming each
/// file that did not pass.
fn run_lpc_dir(dir: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vm")
        .join(dir);
    let filter = std::env::var("LPC_TEST_FILTER").unwrap_or_default();
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("test directory exists")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".c")?.to_string();
            stem.contains(&filter).then_some(stem)
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no test files in {dir} match {filter:?}");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let work = tempfile::tempdir().expect("temporary directory");
    copy_dir(&source, work.path());
    let mut command = Command::new(env!("CARGO_BIN_EXE_driver"));
    command.arg("config.test").current_dir(work.path());
    for name in &names {
        command.arg(format!("-fone:{dir}/{name}"));
    }
    command.arg("-fdone");
    let output = command.output().expect("driver runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let failed: Vec<&String> = names
        .iter()
        .filter(|name| !text.contains(&format!("PASS {dir}/{name}\n")))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} files failed: {failed:?}\n{text}",
        failed.len(),
        names.len()
    );
}

#[test]
fn efun_library() {
    run_lpc_dir("efuns");
}

#[test]
fn loading() {
    run_lpc_test("loading");
}

#[test]
fn locals_limit() {
    run_lpc_test("locals_limit");
}

#[test]
fn shadows() {
    run_lpc_test("shadows");
}

/// Runs `name` with `tests/vm/handler_master.c` as the master.
fn run_with_handler_master(name: &str) -> String {
    run_driver_with(name, &|dir| {
        std::fs::copy(dir.join("master.c"), dir.join("test_master.c")).expect("copy master");
        std::fs::copy(dir.join("handler_master.c"), dir.join("master.c")).expect("copy master");
    })
}

#[test]
fn error_handler_sees_caught_errors() {
    let output = run_with_handler_master("error_handler");
    assert!(output.contains("PASS error_handler"), "{output}");
}

#[test]
fn error_handler_takes_uncaught_errors() {
    let output = run_with_handler_master("uncaught");
    assert!(output.contains("HANDLED *Division by zero"), "{output}");
    // The handler took it: the driver prints no trace of its own.
    assert!(!output.contains("'helper' at /uncaught.c:3"), "{output}");
}

#[test]
fn simul_efun_float_results_truncate_into_ints() {
    let output = run_driver_with("simul_float", &|dir| {
        let config = dir.join("config.test");
        let text = std::fs::read_to_string(&config).expect("config");
        std::fs::write(&config, text + "simulated efun file : /sefun_float\n").expect("config");
    });
    assert!(output.contains("PASS simul_float"), "{output}");
}

#[test]
fn reload_object() {
    run_lpc_test("reload");
}

#[test]
fn replace_program_swaps_after_the_call() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vm");
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_dir(&source, dir.path());
    // Each flag is a call of its own: the swap happens between them.
    let output = Command::new(env!("CARGO_BIN_EXE_driver"))
        .arg("config.test")
        .arg("-fone:replace_program")
        .arg("-fone:replace_program_after")
        .arg("-fdone")
        .current_dir(dir.path())
        .output()
        .expect("driver runs");
    let output = String::from_utf8_lossy(&output.stdout);
    assert!(output.contains("PASS replace_program\n"), "{output}");
    assert!(output.contains("PASS replace_program_after"), "{output}");
}

#[test]
fn compile_hooks() {
    run_lpc_test("compile_hooks");
}

#[test]
fn master_compile_applies() {
    run_lpc_test("master_compile");
}

#[test]
fn nesting_limit() {
    run_lpc_test("nesting_limit");
}

#[test]
fn default_args() {
    run_lpc_test("default_args");
}

#[test]
fn notify_destruct() {
    run_lpc_test("notify_destruct");
}

/// The folders of LPC code the driver's tests run: a call of an efun in
/// any of them counts as that efun's test.
const LPC_TEST_DIRS: &[&str] = &["vm", "net", "web", "services", "abuse"];

/// The LPC source under `dir`, comments and string contents removed so
/// only code remains.
fn lpc_code(dir: &Path, out: &mut String) {
    let comments = regex::Regex::new(r#"(?s)/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*""#)
        .expect("pattern compiles");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            lpc_code(&path, out);
            continue;
        }
        let lpc = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "c" | "h" | "lpc"));
        if let (true, Ok(text)) = (lpc, std::fs::read_to_string(&path)) {
            out.push_str(&comments.replace_all(&text, |c: &regex::Captures| {
                if c[0].starts_with('"') { "\"\"" } else { " " }
            }));
            out.push('\n');
        }
    }
}

#[test]
fn every_efun_has_an_lpc_test() {
    let table = efun_specs::load_all(&efun_specs::SpecOptions::fluffos_default())
        .expect("the efun specs load");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests");
    let mut code = String::new();
    for dir in LPC_TEST_DIRS {
        lpc_code(&root.join(dir), &mut code);
    }
    // A call `name(` (not `ob->name(`) or a function pointer `(: name`.
    let calls = regex::Regex::new(r"(->\s*)?\b(\w+)\s*\(|\(:\s*(\w+)").expect("pattern compiles");
    let called: std::collections::HashSet<&str> = calls
        .captures_iter(&code)
        .filter(|c| c.get(1).is_none())
        .filter_map(|c| c.get(2).or_else(|| c.get(3)))
        .map(|m| m.as_str())
        .collect();
    let untested: Vec<&str> = table
        .callable()
        .map(|e| e.name.as_str())
        .filter(|name| !called.contains(name))
        .collect();
    assert!(
        untested.is_empty(),
        "efuns no LPC file under tests/ calls: {untested:?}"
    );
}
