//! `driver [CONFIG] [-fFLAG]...`: runs a FluffOS mudlib. One thread owns
//! the VM and every object; network tasks run on the async runtime and talk
//! to it through messages. Without a config, the bundled mudlib is served.
// The binary reads the config and enters the mudlib's directory.
#![allow(clippy::disallowed_methods)]

use driver::boot;
use std::process::ExitCode;

// Freed memory goes back to the system within seconds, so the driver shrinks
// again after a crowd of users leaves (settings in .cargo/config.toml).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Stack of the VM thread.
const VM_STACK_BYTES: usize = 1 << 30;

/// The mudlib shipped beside the driver's sources: its directory becomes
/// the working directory, as its config names the mudlib as `.`.
fn bundled_mudlib() -> Result<String, String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("mudlib");
    let config = dir.join("config.default");
    if !config.is_file() {
        return Err(format!(
            "no config given and {} is missing",
            config.display()
        ));
    }
    std::env::set_current_dir(&dir).map_err(|e| format!("cannot enter {}: {e}", dir.display()))?;
    println!("Serving the bundled mudlib in {}", dir.display());
    Ok("config.default".to_string())
}

fn main() -> ExitCode {
    let mut config = None;
    let mut flags = Vec::new();
    for arg in std::env::args().skip(1) {
        if let Some(flag) = arg.strip_prefix("-f") {
            flags.push(flag.to_string());
        } else if arg.starts_with('-') {
            eprintln!("Unknown flag: {arg}");
            return ExitCode::from(2);
        } else if config.is_none() {
            config = Some(arg);
        }
    }
    let config = match config {
        Some(c) => c,
        None => match bundled_mudlib() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("driver: {e}\nUsage: driver [CONFIG] [-fFLAG]...");
                return ExitCode::from(2);
            }
        },
    };
    let options = boot::Options {
        config: config.into(),
        flags,
    };
    // The VM thread owns every object. Its stack is large because the
    // compiler recurses over deeply nested expressions.
    let vm = std::thread::Builder::new()
        .name("vm".into())
        .stack_size(VM_STACK_BYTES)
        .spawn(move || boot::run(&options));
    let outcome = match vm {
        Ok(handle) => handle.join(),
        Err(e) => {
            eprintln!("driver: cannot start the VM thread: {e}");
            return ExitCode::from(1);
        }
    };
    match outcome {
        Ok(Ok(code)) => ExitCode::from((code & 0xff) as u8),
        Ok(Err(e)) => {
            eprintln!("driver: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => {
            eprintln!("driver: internal error, please report");
            ExitCode::from(101)
        }
    }
}
