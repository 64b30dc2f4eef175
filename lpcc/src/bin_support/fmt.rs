//! `lpcc fmt`: formats LPC files in place, or with `--check` lists the ones
//! that are not formatted.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use lpcc::check::{CheckConfig, CommandLineSettings};
use lpcc::config::ConfigFile;
use lpcc::config::DriverConfig;
use lpcc::format::{FormatOptions, Preserve, format_preserving, format_source, preserve};
use lpcc::preprocess::{PreprocessConfig, preprocess_text};

use super::disk::{DiskProvider, mudlib_path};

/// Where macros come from: the mudlib the files belong to, so that uses of
/// included macros whose meaning depends on the layout are recognised.
struct Mudlib {
    root: PathBuf,
    provider: DiskProvider,
    config: PreprocessConfig,
}

impl Mudlib {
    fn new(driver: Option<&DriverConfig>) -> Result<Mudlib> {
        let root_text = driver.map_or(".", |d| d.mudlib_directory.as_str());
        let root = Path::new(root_text)
            .canonicalize()
            .with_context(|| format!("cannot open the mudlib directory `{root_text}`"))?;
        let config = CheckConfig::new(driver, &CommandLineSettings::default()).preprocess_config();
        Ok(Mudlib {
            provider: DiskProvider::new(root.clone()),
            root,
            config,
        })
    }

    /// What the layout of the file at `host` with contents `text` must keep.
    fn preserve(&self, host: &Path, text: &str) -> Preserve {
        let Some(path) = host
            .canonicalize()
            .ok()
            .and_then(|h| mudlib_path(&self.root, &h))
        else {
            return Preserve::default();
        };
        preserve(&preprocess_text(
            &self.provider,
            &path,
            text.into(),
            &self.config,
        ))
    }
}

#[derive(clap::Args)]
pub struct FmtArgs {
    /// Change no file: list the files that are not formatted and exit with 1
    /// if there are any.
    #[arg(long)]
    check: bool,
    /// Columns per indentation level.
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u8).range(1..=16))]
    indent_width: u8,
    /// Indent with tabs instead of spaces.
    #[arg(long)]
    tabs: bool,
    /// FluffOS driver config file: with no PATH, its mudlib directory is formatted.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Files, or directories whose .c, .lpc and .h files are formatted;
    /// `-` formats standard input to standard output. With none, the
    /// current directory (or the configured mudlib directory).
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    Refused(String),
}

pub fn run(args: &FmtArgs) -> ExitCode {
    match fmt(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn fmt(args: &FmtArgs) -> Result<ExitCode> {
    let options = FormatOptions {
        indent_width: usize::from(args.indent_width),
        use_tabs: args.tabs,
        ..FormatOptions::default()
    };
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            bail!("`-` (standard input) cannot be combined with other paths");
        }
        return format_stdin(args, &options);
    }
    let driver = match &args.config {
        Some(config) => Some(read_config(config)?),
        None => None,
    };
    let mudlib = Mudlib::new(driver.as_ref())?;
    let files = files_to_format(args, driver.as_ref())?;
    let outcomes: Vec<(PathBuf, Result<Outcome>)> = files
        .into_par_iter()
        .map(|path| {
            let outcome = format_file(&path, &mudlib, &options, args.check);
            (path, outcome)
        })
        .collect();
    let mut code = ExitCode::SUCCESS;
    let mut stdout = io::stdout().lock();
    for (path, outcome) in outcomes {
        let shown = path.display();
        match outcome? {
            Outcome::Unchanged => {}
            Outcome::Changed if args.check => {
                let _ = writeln!(stdout, "{shown}");
                code = ExitCode::from(1);
            }
            Outcome::Changed => {}
            Outcome::Refused(why) => {
                eprintln!("error: {shown}: {why}");
                code = ExitCode::from(1);
            }
        }
    }
    Ok(code)
}

fn format_stdin(args: &FmtArgs, options: &FormatOptions) -> Result<ExitCode> {
    let mut bytes = Vec::new();
    io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let Ok(text) = String::from_utf8(bytes) else {
        eprintln!("error: <stdin>: cannot format text that is not UTF-8");
        return Ok(ExitCode::from(1));
    };
    match format_source(&text, options) {
        Ok(formatted) => {
            if args.check {
                return Ok(if formatted == text {
                    ExitCode::SUCCESS
                } else {
                    println!("<stdin>");
                    ExitCode::from(1)
                });
            }
            io::stdout()
                .write_all(formatted.as_bytes())
                .context("cannot write the output")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("error: <stdin>: {error}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The host paths to format, sorted.
fn files_to_format(args: &FmtArgs, driver: Option<&DriverConfig>) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut roots = args.paths.clone();
    if roots.is_empty() {
        roots.push(PathBuf::from(
            driver.map_or(".", |d| d.mudlib_directory.as_str()),
        ));
    }
    for path in &roots {
        let shown = path.display();
        let meta = fs::metadata(path).with_context(|| format!("cannot read `{shown}`"))?;
        if meta.is_dir() {
            walk(path, &mut files).with_context(|| format!("cannot read `{shown}`"))?;
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn read_config(config: &Path) -> Result<DriverConfig> {
    let shown = config.display();
    let bytes = fs::read(config).with_context(|| format!("cannot read config `{shown}`"))?;
    let (file, _) = ConfigFile::parse(&String::from_utf8_lossy(&bytes));
    let (driver, _) = DriverConfig::from_file(&file);
    match driver {
        Some(driver) => Ok(driver),
        None => bail!("config `{shown}` names no mudlib directory"),
    }
}

/// LPC sources and headers under `dir`; names starting with `.` are
/// skipped and symbolic links to directories are not followed.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), found)?;
        } else if kind.is_file()
            && (name.ends_with(".c") || name.ends_with(".lpc") || name.ends_with(".h"))
        {
            found.push(entry.path());
        }
    }
    Ok(())
}

fn format_file(
    path: &Path,
    mudlib: &Mudlib,
    options: &FormatOptions,
    check: bool,
) -> Result<Outcome> {
    let shown = path.display();
    let bytes = fs::read(path).with_context(|| format!("cannot read `{shown}`"))?;
    let Ok(text) = String::from_utf8(bytes) else {
        return Ok(Outcome::Refused(
            "cannot format a file that is not UTF-8".into(),
        ));
    };
    let preserve = mudlib.preserve(path, &text);
    let formatted = match format_preserving(&text, options, &preserve) {
        Ok(formatted) => formatted,
        Err(error) => return Ok(Outcome::Refused(error.to_string())),
    };
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    if !check {
        write_atomically(path, formatted.as_bytes())
            .with_context(|| format!("cannot write `{shown}`"))?;
    }
    Ok(Outcome::Changed)
}

/// Replaces a file's contents so that a reader sees the old or the new
/// text, never half of one: a temporary file beside it, renamed over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = dir.unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.lpcc-fmt-{}", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        if let Ok(meta) = fs::metadata(path) {
            fs::set_permissions(&temp, meta.permissions())?;
        }
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}
