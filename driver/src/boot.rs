//! Starting the driver as FluffOS does: the config file, the simul_efun
//! object, the master, `epilog` and `preload`, then master `flag()` for
//! each `-f` argument.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use lpcc::config::{ConfigFile, DriverConfig};

use crate::compile::Compiler;
use crate::vm::value::Value;
use crate::vm::{ErrorInfo, Limits, Unwind, Vm};

/// What the command line asks for.
pub struct Options {
    pub config: PathBuf,
    pub flags: Vec<String>,
}

/// How the run ended: the process exit status.
pub fn run(options: &Options) -> Result<i32> {
    let text = std::fs::read_to_string(&options.config)
        .with_context(|| format!("cannot read config file {}", options.config.display()))?;
    let (file, problems) = ConfigFile::parse(&text);
    let (config, more) = DriverConfig::from_file(&file);
    for p in problems.iter().chain(&more) {
        eprintln!("{}: {}", options.config.display(), p.message);
    }
    let Some(config) = config else {
        bail!("the config file is not usable");
    };
    let root = Path::new(&config.mudlib_directory).to_path_buf();
    let compiler = Compiler::new(&root, Some(&config))?;
    let mut vm = Vm::new(compiler, limits(&file));
    vm.backend.configure(&file);
    crate::efuns::external::configure(&file);
    crate::metrics::configure(&file);
    vm.mudlib_error_handler = file.get_int("mudlib error handler").ok().flatten() != Some(0);
    crate::efuns::misc::load_config(&mut vm, &file);
    let log_dir = file.get("log directory").unwrap_or("/log");
    if let Some(debug_log) = file.get("debug log file") {
        let path = vm
            .compiler
            .provider
            .host_path(&format!("{log_dir}/{debug_log}"));
        vm.debug_log = Some(path);
    }
    // A panic anywhere in the driver ends it through master `crash()`.
    let booted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        boot(&mut vm, &config, &options.flags).and_then(|()| serve(&mut vm, &file))
    }));
    let Ok(booted) = booted else {
        vm.crash("internal error");
        return Ok(1);
    };
    match booted {
        Ok(()) => Ok(0),
        Err(Unwind::Shutdown(code)) => Ok(code),
        Err(other) => {
            report(&mut vm, &other);
            Ok(1)
        }
    }
}

/// The call depth FluffOS mudlibs can count on.
const MIN_CALL_DEPTH: usize = 150;

fn limits(file: &ConfigFile) -> Limits {
    let mut limits = Limits::default();
    let get = |key: &str| file.get_int(key).ok().flatten().filter(|&v| v > 0);
    if let Some(us) = get("maximum evaluation cost") {
        limits.eval_time = Duration::from_micros(us as u64);
    }
    // FluffOS always has room for 150 nested calls and reads this key
    // only for `previous_object(n)`; code written for it may nest that deep
    // whatever the key says, so a smaller value does not lower the limit.
    if let Some(v) = get("maximum call depth") {
        limits.call_depth = (v as usize).max(MIN_CALL_DEPTH);
    }
    if let Some(v) = get("evaluator stack size") {
        limits.stack_size = v as usize;
    }
    if let Some(v) = get("maximum array size") {
        limits.array_size = v as usize;
    }
    if let Some(v) = get("maximum mapping size") {
        limits.mapping_size = v as usize;
    }
    if let Some(v) = get("maximum string length") {
        limits.string_length = v as usize;
    }
    if let Some(v) = get("maximum buffer size") {
        limits.buffer_size = v as usize;
    }
    limits
}

fn boot(vm: &mut Vm, config: &DriverConfig, flags: &[String]) -> Result<(), Unwind> {
    if let Some(simul) = &config.simul_efun_file {
        match vm.load_object(&crate::vm::object_name(simul)) {
            Ok(r) => {
                vm.simul_efun = Some(r);
                let names = vm
                    .objects
                    .get(r)
                    .map(|o| crate::compile::simul_efun_names(&o.linked))
                    .unwrap_or_default();
                vm.compiler.simul_efuns = Some(names);
            }
            Err(e) => report(vm, &e),
        }
    }
    let master_file = config
        .master_file
        .clone()
        .unwrap_or_else(|| "/master".into());
    let master = match vm.load_object(&crate::vm::object_name(&master_file)) {
        Ok(r) => r,
        Err(e) => {
            report(vm, &e);
            return Err(Unwind::Shutdown(1));
        }
    };
    vm.master = Some(master);
    match vm.apply_top(master, "epilog", vec![Value::Int(0)]) {
        Ok(Some(Value::Array(files))) => {
            let files = files.borrow().clone();
            for file in files {
                if let Err(e) = vm.apply_top(master, "preload", vec![file]) {
                    fatal_or_report(vm, e)?;
                }
            }
        }
        Ok(_) => {}
        Err(e) => fatal_or_report(vm, e)?,
    }
    for flag in flags {
        vm.backend.timers.now = std::time::Instant::now();
        vm.debug_message(&format!("Calling master::flag(\"{flag}\")..."));
        if let Err(e) = vm.apply_top(master, "flag", vec![Value::str(flag.clone())]) {
            fatal_or_report(vm, e)?;
        }
    }
    Ok(())
}

/// Opens the configured ports and runs the backend loop until shutdown.
fn serve(vm: &mut Vm, file: &ConfigFile) -> Result<(), Unwind> {
    let (ports, problems) = crate::net::ports_from_config(file);
    for p in problems {
        vm.debug_message(&p);
    }
    let ip = match file.get("mud ip") {
        Some(ip) if !ip.is_empty() => ip.to_string(),
        _ => "0.0.0.0".to_string(),
    };
    let http_dir = file
        .get("websocket http dir")
        .map(|d| std::path::PathBuf::from(d.trim()));
    for p in vm.backend.net.start(&ports, &ip, http_dir) {
        vm.debug_message(&p);
    }
    let notifier = crate::asyncwork::notifier(vm);
    if let Some(line) = crate::web::metrics_port::start(file, notifier) {
        vm.debug_message(&line);
    }
    let host = if ip == "0.0.0.0" {
        "127.0.0.1"
    } else {
        ip.as_str()
    };
    for port in &ports {
        if !vm.backend.net.is_listening(port.number) {
            continue;
        }
        let how = match port.kind {
            crate::net::PortKind::Websocket => {
                let scheme = if port.tls.is_some() { "https" } else { "http" };
                format!("open {scheme}://{host}:{}/ in a browser", port.number)
            }
            _ => format!("telnet {host} {}", port.number),
        };
        vm.debug_message(&format!(
            "Accepting {} connections on {ip}:{}: {how}",
            port.kind.name(),
            port.number
        ));
    }
    crate::backend::run(vm)
}

fn fatal_or_report(vm: &mut Vm, e: Unwind) -> Result<(), Unwind> {
    match e {
        Unwind::Shutdown(_) => Err(e),
        other => {
            report(vm, &other);
            Ok(())
        }
    }
}

/// Reports an error no `catch` handled, with its trace.
pub fn report(vm: &mut Vm, e: &Unwind) {
    if let Unwind::Error(info) = e
        && vm.report_uncaught(info)
    {
        return;
    }
    let text = match e {
        Unwind::Error(info) => trace_text(info),
        Unwind::Throw(v) => format!(
            "*Uncaught throw: {}\n",
            crate::efuns::strings::describe(vm, v)
        ),
        Unwind::EvalCost => "*Too long evaluation. Execution aborted.\n".to_string(),
        Unwind::Shutdown(_) => return,
    };
    vm.debug_message(text.trim_end());
}

pub fn trace_text(info: &ErrorInfo) -> String {
    let mut out = format!("*{}\n", info.message);
    for (file, function, line) in &info.trace {
        out.push_str(&format!("  '{function}' at {file}:{line}\n"));
    }
    out
}
