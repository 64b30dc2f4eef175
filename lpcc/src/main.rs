//! `lpcc`, the command-line front end: `lpcc check` reports the problems in
//! the LPC files of a mudlib.
//!
//! Exit status: 0 when no errors were found (warnings allowed), 1 when some
//! were, 2 for bad usage or unreadable input (a missing or malformed config,
//! a path that does not exist or lies outside the mudlib), 101 for an
//! internal error outside the checking of a file. A panic while checking one
//! file becomes an `E0000` diagnostic for that file instead.
// The binary is the one place that touches the disk (see clippy.toml).
#![allow(clippy::disallowed_methods)]

mod bin_support;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;

use bin_support::disk::{DiskProvider, lpc_files_under, mudlib_path};
use bin_support::panic::{guarded, install_hook};
use lpcc::check::{CheckConfig, CommandLineSettings, FileReport, check_file, parse_define};
use lpcc::config::{ConfigFile, DriverConfig};
use lpcc::diagnostic::Severity;
use lpcc::render::{Summary, render_github, render_human, render_json};

/// Checking more files than fit on a screen shows a progress bar.
const PROGRESS_THRESHOLD: usize = 40;

#[derive(Parser)]
#[command(
    name = "lpcc",
    version,
    about = "Tools for LPC, the language of FluffOS MUDs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check LPC files for errors without running them.
    ///
    /// With no PATH, checks every .c and .lpc file under the mudlib directory
    /// (names starting with `.` are skipped). Without --config, lpcc looks
    /// for a driver config (in ., etc, config, bin, adm/etc and ..: a file
    /// named config*, *.cfg or *.conf with a `mudlib directory` line) and for
    /// lpc-config.json, as the language server does; with neither, the mudlib
    /// directory is the current directory.
    #[command(
        after_help = "Exit status: 0 no errors (warnings allowed), 1 errors found, \
                            2 bad usage or unreadable input, 101 internal error."
    )]
    Check(CheckArgs),
    /// Format LPC files in place (with --check, list unformatted files).
    #[command(
        after_help = "Exit status: 0 all formatted, 1 with --check some file is not \
                      formatted or some file cannot be formatted, 2 bad usage or unreadable input."
    )]
    Fmt(bin_support::fmt::FmtArgs),
    /// Compile LPC files to bytecode files (`.lpcb`, beside each source)
    /// with a versioned header, which the driver loads after verifying them.
    Build(CheckArgs),
    /// Print the bytecode of LPC files.
    Disasm(CheckArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// FluffOS driver config file; its `mudlib directory` is taken from the
    /// current directory when relative, as the driver does.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Search mudlib directory DIR for `#include <...>`, before the configured ones.
    #[arg(short = 'I', value_name = "DIR")]
    include: Vec<String>,
    /// Predefine macro NAME as VALUE (1 when no value is given).
    #[arg(short = 'D', value_name = "NAME[=VALUE]", value_parser = parse_define)]
    define: Vec<(String, String)>,
    /// Accept the `static` modifier, for drivers built without sensible modifiers.
    #[arg(long)]
    allow_static: bool,
    /// Output format. json: one document with mudlib paths; github: workflow
    /// annotations with paths relative to the current directory.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Files or directories to check, inside the mudlib directory.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Github,
}

fn main() -> ExitCode {
    install_hook();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Check(args) => check(&args),
        Command::Fmt(args) => return bin_support::fmt::run(&args),
        Command::Build(args) => compile_files(&args, Output::Files),
        Command::Disasm(args) => compile_files(&args, Output::Listing),
    };
    match outcome {
        Ok(summary) if summary.errors > 0 => ExitCode::from(1),
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

enum Output {
    Files,
    Listing,
}

/// `lpcc build` and `lpcc disasm`: compiles each file given.
fn compile_files(args: &CheckArgs, output: Output) -> Result<Summary> {
    let plan = plan(args)?;
    let provider = DiskProvider::new(plan.root.clone());
    let mut cache = Default::default();
    let mut summary = Summary::default();
    for file in &plan.files {
        let program = match lpcc::codegen::compile_file(&provider, file, &plan.config, &mut cache) {
            Ok(p) => p,
            Err(message) => {
                eprintln!("{message}");
                summary.errors += 1;
                continue;
            }
        };
        match output {
            Output::Listing => print!("{}", program.disassemble()),
            Output::Files => {
                let stem = file
                    .strip_suffix(".c")
                    .or_else(|| file.strip_suffix(".lpc"));
                let target = plan
                    .root
                    .join(format!("{}.lpcb", stem.unwrap_or(file)).trim_start_matches('/'));
                std::fs::write(&target, lpcc::bytecode::file::write(&program))
                    .with_context(|| format!("cannot write {}", target.display()))?;
            }
        }
    }
    Ok(summary)
}

/// Everything `lpcc check` needs before checking: where the mudlib is, what
/// to check, and the settings to check with.
struct Plan {
    root: PathBuf,
    files: Vec<String>,
    config: CheckConfig,
}

fn check(args: &CheckArgs) -> Result<Summary> {
    let plan = plan(args)?;
    let provider = DiskProvider::new(plan.root.clone());
    let reports = check_all(&provider, &plan.files, &plan.config);
    let summary = Summary::new(&reports);
    let written = match args.format {
        Format::Human => {
            let color = if io::stdout().is_terminal() {
                ColorChoice::Auto
            } else {
                ColorChoice::Never
            };
            let stdout = StandardStream::stdout(color);
            let mut out = stdout.lock();
            render_human(&mut out, &reports).and_then(|()| out.flush())
        }
        Format::Json => {
            let mut out = io::stdout().lock();
            render_json(&mut out, &reports).and_then(|()| out.flush())
        }
        Format::Github => {
            let cwd = current_dir()?;
            let host_path = |path: &str| github_path(&cwd, &plan.root, path);
            let mut out = io::stdout().lock();
            render_github(&mut out, &reports, &host_path).and_then(|()| out.flush())
        }
    };
    match written {
        // Output piped into a command that stopped reading: the exit status still tells.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the output")?,
    }
    Ok(summary)
}

fn current_dir() -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("cannot find the current directory")?;
    Ok(cwd.canonicalize().unwrap_or(cwd))
}

fn plan(args: &CheckArgs) -> Result<Plan> {
    let cwd = current_dir()?;
    let command_line = CommandLineSettings {
        include_dirs: args.include.clone(),
        defines: args.define.clone(),
        allow_static: args.allow_static,
    };
    // Without --config, the configuration the language server would find
    // here: a driver config in the usual places, or lpc-config.json.
    let found = match &args.config {
        Some(_) => None,
        None => Some(lpcc::host::discover(&cwd, None)).filter(|f| f.found()),
    };
    if let Some(found) = &found {
        for message in &found.messages {
            eprintln!("warning: {message}");
        }
    }
    let driver = match (&args.config, &found) {
        (Some(path), _) => Some(read_driver_config(path)?),
        (None, Some(found)) => found.driver.clone(),
        (None, None) => None,
    };
    let root_text = match (&found, &driver) {
        (Some(found), Some(_)) => found.mudlib_root.to_string_lossy().into_owned(),
        (_, Some(d)) => d.mudlib_directory.clone(),
        _ => ".".to_string(),
    };
    let root_text = root_text.as_str();
    let root = cwd
        .join(root_text)
        .canonicalize()
        .with_context(|| format!("cannot open the mudlib directory `{root_text}`"))?;
    if !root.is_dir() {
        bail!("the mudlib directory `{root_text}` is not a directory");
    }

    let mut files = Vec::new();
    if args.paths.is_empty() {
        files = lpc_files_under(&root, &root)
            .with_context(|| format!("cannot read the mudlib directory `{root_text}`"))?;
    }
    for path in &args.paths {
        files.extend(files_for_argument(&cwd, &root, path)?);
    }
    files.sort();
    files.dedup();

    let config = match &found {
        Some(found) => found.check_config(&command_line),
        None => CheckConfig::new(driver.as_ref(), &command_line),
    };
    Ok(Plan {
        config,
        root,
        files,
    })
}

/// Reads and checks a driver config file, printing its warnings; any error
/// makes the run fail before checking anything.
fn read_driver_config(path: &Path) -> Result<DriverConfig> {
    let shown = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read config `{shown}`"))?;
    let (file, mut problems) = ConfigFile::parse(&String::from_utf8_lossy(&bytes));
    let (driver, more) = DriverConfig::from_file(&file);
    problems.extend(more);
    for problem in &problems {
        let place = match problem.line {
            Some(line) => format!("{shown}:{line}"),
            None => shown.to_string(),
        };
        if problem.severity == Severity::Warning {
            eprintln!("warning: {place}: {}", problem.message);
        } else {
            eprintln!("error: {place}: {}", problem.message);
        }
    }
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    match driver {
        Some(driver) if errors == 0 => Ok(driver),
        _ => bail!("config `{shown}` has {}", plural_errors(errors)),
    }
}

fn plural_errors(count: usize) -> String {
    if count == 1 {
        "1 error".into()
    } else {
        format!("{count} errors")
    }
}

/// The files a PATH argument names: itself, or the LPC files under a directory.
fn files_for_argument(cwd: &Path, root: &Path, path: &Path) -> Result<Vec<String>> {
    let shown = path.display();
    let host = cwd
        .join(path)
        .canonicalize()
        .with_context(|| format!("cannot read `{shown}`"))?;
    let Some(mudlib) = mudlib_path(root, &host) else {
        bail!(
            "`{shown}` is outside the mudlib directory `{}`",
            root.display()
        );
    };
    if host.is_dir() {
        return lpc_files_under(root, &host).with_context(|| format!("cannot read `{shown}`"));
    }
    Ok(vec![mudlib])
}

/// Checks every file in parallel; the reports come back in the order of `files`.
fn check_all(provider: &DiskProvider, files: &[String], config: &CheckConfig) -> Vec<FileReport> {
    let progress = if files.len() > PROGRESS_THRESHOLD && io::stderr().is_terminal() {
        let style = ProgressStyle::with_template("checking {bar:40} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        ProgressBar::new(files.len() as u64).with_style(style)
    } else {
        ProgressBar::hidden()
    };
    let reports = files
        .par_iter()
        .map(|path| {
            let report = guarded(|| check_file(provider, path, config))
                .unwrap_or_else(|message| FileReport::internal_error(path, &message));
            progress.inc(1);
            report
        })
        .collect();
    progress.finish_and_clear();
    reports
}

/// The path GitHub links an annotation to: relative to the current
/// directory (the checkout) when the file is under it, else absolute.
fn github_path(cwd: &Path, root: &Path, mudlib: &str) -> String {
    if !mudlib.starts_with('/') {
        return mudlib.to_string();
    }
    let host = root.join(mudlib.trim_start_matches('/'));
    let shown = host.strip_prefix(cwd).unwrap_or(&host);
    shown.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_paths() {
        let cwd = Path::new("/repo");
        assert_eq!(
            github_path(cwd, Path::new("/repo/lib"), "/std/room.c"),
            "lib/std/room.c"
        );
        assert_eq!(
            github_path(cwd, Path::new("/elsewhere"), "/a.c"),
            "/elsewhere/a.c"
        );
        assert_eq!(
            github_path(cwd, Path::new("/repo"), "<command line>"),
            "<command line>"
        );
    }

    #[test]
    fn command_line_parses() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "lpcc", "check", "-I", "/inc", "-Isys", "-DDEBUG", "-D", "LEVEL=3", "--format", "json",
            "a.c", "d",
        ])
        .unwrap();
        let Command::Check(args) = cli.command else {
            panic!("parsed as another command");
        };
        assert_eq!(args.include, ["/inc", "sys"]);
        assert_eq!(
            args.define,
            [("DEBUG".into(), "1".into()), ("LEVEL".into(), "3".into())]
        );
        assert_eq!(args.format, Format::Json);
        assert_eq!(args.paths, [PathBuf::from("a.c"), PathBuf::from("d")]);
        assert!(Cli::try_parse_from(["lpcc", "check", "-D", "1X"]).is_err());
        assert!(Cli::try_parse_from(["lpcc", "check", "--format", "xml"]).is_err());
    }
}
