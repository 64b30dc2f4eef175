//! A bounded load test of the networked driver over loopback telnet: many
//! clients held open at once, each sending `ping N` at a fixed rate, then a
//! connect/disconnect churn phase, then a quiet one. Reports round-trip
//! percentiles, commands per second, and the driver's resident memory and
//! open descriptors before, during and after.
//!
//! `cargo run --release -p driver --example loadtest -- [--clients N]
//! [--seconds S] [--rate R] [--churn C] [--churn-seconds S] [--batch B]`
//!
//! `--batch` is how many clients connect at once (256 by default); a batch
//! as large as `--clients` is one burst of connects.
//!
//! Build the driver first (`cargo build --release -p driver --bins --examples`); the
//! tool starts the binary next to itself on a tiny mudlib it writes to a
//! temporary directory. Every phase has a deadline, so a stuck driver ends the
//! run with a report rather than a hang.
#![allow(clippy::disallowed_methods)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bench_driver::driver_binary;

// Only its way to the driver binary is used here.
#[allow(dead_code)]
mod bench_driver;
use async_std::io::{BufReader, WriteExt, prelude::BufReadExt};
use async_std::net::TcpStream;
use futures_util::future::join_all;

const MASTER: &str = r#"// Master of the load-test mudlib: every connection gets a clone of /user.
object connect(int port) { return clone_object("/user"); }
mixed *epilog(int load_empty) { return ({ }); }
void log_error(string file, string message) { debug_message("COMPILE-ERROR " + message); }
"#;

const USER: &str = r#"// A user for the load test: no login; "ping N" answers "pong N".
void logon() { write("ready\n"); }
void write_prompt() { }
int process_input(string line) {
  if (line[0..4] == "ping ") {
    write("pong " + line[5..] + "\n");
    return 1;
  }
  write("unknown\n");
  return 1;
}
void net_dead() { destruct(this_object()); }
"#;

/// What the command line asks for.
struct Options {
    clients: usize,
    seconds: u64,
    rate: f64,
    churn: usize,
    churn_seconds: u64,
    batch: usize,
}

fn options() -> Result<Options> {
    let mut o = Options {
        clients: 1000,
        seconds: 10,
        rate: 1.0,
        churn: 200,
        churn_seconds: 5,
        batch: 256,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--clients" => o.clients = value.parse()?,
            "--seconds" => o.seconds = value.parse()?,
            "--rate" => o.rate = value.parse()?,
            "--churn" => o.churn = value.parse()?,
            "--churn-seconds" => o.churn_seconds = value.parse()?,
            "--batch" => o.batch = value.parse::<usize>()?.max(1),
            _ => bail!(
                "usage: loadtest [--clients N] [--seconds S] [--rate PER_CLIENT_PER_S] [--churn CONNECTS_PER_S] [--churn-seconds S] [--batch CONNECTS_AT_ONCE]"
            ),
        }
    }
    if o.rate <= 0.0 {
        bail!("--rate must be positive");
    }
    Ok(o)
}

fn main() -> Result<()> {
    let o = options()?;
    let limit = raise_fd_limit()?;
    println!("RLIMIT_NOFILE soft limit raised to {limit}");
    if (limit as usize) < o.clients + 64 {
        println!(
            "warning: {} clients need more descriptors than {limit}",
            o.clients
        );
    }
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    write_mudlib(dir.path(), port)?;
    let mut driver = start_driver(dir.path())?;
    let result = async_std::task::block_on(run(&o, driver.id(), port));
    // The driver is our own child: stop it by its id whatever happened.
    let _ = driver.kill();
    let _ = driver.wait();
    if result.is_err() {
        let log = std::fs::read_to_string(dir.path().join("driver.err")).unwrap_or_default();
        eprintln!("driver stderr (tail):\n{}", tail(&log, 20));
    }
    result
}

/// Lifts the soft descriptor limit to the hard one; the driver inherits it.
fn raise_fd_limit() -> Result<u64> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    Ok(hard)
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn write_mudlib(dir: &Path, port: u16) -> Result<()> {
    let config = format!(
        "name : LoadTest\nmud ip : 127.0.0.1\nexternal_port_1 : telnet {port}\n\
         mudlib directory : ./\nlog directory : /\ninclude directories : /\n\
         master file : /master\ndebug log file : debug.log\n\
         maximum evaluation cost : 1000000\n\
         connections per address : 0\n"
    );
    std::fs::write(dir.join("config.load"), config)?;
    std::fs::write(dir.join("master.c"), MASTER)?;
    std::fs::write(dir.join("user.c"), USER)?;
    Ok(())
}

fn start_driver(dir: &Path) -> Result<Child> {
    let driver = driver_binary()?;
    let out = std::fs::File::create(dir.join("driver.out"))?;
    let err = std::fs::File::create(dir.join("driver.err"))?;
    Command::new(&driver)
        .arg("config.load")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .with_context(|| format!("cannot run {}", driver.display()))
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Resident memory of a process in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn fd_count(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// One held connection.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

/// Reads lines until one contains `want`, within `limit` and a bounded
/// number of lines. Telnet negotiation bytes may precede text, so lines are
/// bytes, not strings.
async fn expect(reader: &mut BufReader<TcpStream>, want: &[u8], limit: Duration) -> Result<()> {
    let deadline = Instant::now() + limit;
    let mut line = Vec::new();
    for _ in 0..64 {
        line.clear();
        let left = deadline.saturating_duration_since(Instant::now());
        let n = async_std::future::timeout(left, reader.read_until(b'\n', &mut line))
            .await
            .context("timed out")??;
        if n == 0 {
            bail!("connection closed");
        }
        if line.windows(want.len()).any(|w| w == want) {
            return Ok(());
        }
    }
    bail!("no {:?} in 64 lines", String::from_utf8_lossy(want))
}

async fn connect(port: u16) -> Result<Client> {
    let stream = async_std::future::timeout(
        Duration::from_secs(10),
        TcpStream::connect(("127.0.0.1", port)),
    )
    .await
    .context("connect timed out")??;
    let mut reader = BufReader::new(stream.clone());
    expect(&mut reader, b"ready", Duration::from_secs(20)).await?;
    Ok(Client {
        reader,
        writer: stream,
    })
}

/// Connects `n` clients, `batch` at a time. Returns the clients held and the number of failures, and prints
/// how long a connect took up to the greeting.
async fn connect_many(port: u16, n: usize, batch: usize) -> (Vec<Client>, usize) {
    let mut times = Vec::with_capacity(n);
    let timed = |port| async move {
        let t = Instant::now();
        let c = connect(port).await;
        (c, t.elapsed().as_micros() as u64)
    };
    let mut held = Vec::with_capacity(n);
    let mut failed = 0;
    let mut first_error = None;
    let mut left = n;
    while left > 0 {
        let k = left.min(batch);
        for (r, us) in join_all((0..k).map(|_| timed(port))).await {
            times.push(us);
            match r {
                Ok(c) => held.push(c),
                Err(e) => {
                    failed += 1;
                    first_error.get_or_insert(e);
                }
            }
        }
        left -= k;
    }
    if let Some(e) = first_error {
        println!("first connect error: {e:#}");
    }
    times.sort_unstable();
    println!(
        "  connect to greeting ({batch} at a time): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
    (held, failed)
}

/// Result of one client's ping loop.
#[derive(Default)]
struct Pings {
    rtt_us: Vec<u64>,
    errors: usize,
}

/// Sends `ping K` every `interval` until `end`, waiting for each answer;
/// `offset` spreads the clients over the interval.
async fn ping_loop(
    mut c: Client,
    interval: Duration,
    offset: Duration,
    end: Instant,
) -> (Client, Pings) {
    let mut p = Pings::default();
    async_std::task::sleep(offset).await;
    let mut next = Instant::now();
    let max =
        (end.saturating_duration_since(next).as_secs_f64() / interval.as_secs_f64()) as usize + 1;
    for k in 0..max {
        let now = Instant::now();
        if now >= end {
            break;
        }
        let sent = now;
        let ok = async {
            c.writer.write_all(format!("ping {k}\n").as_bytes()).await?;
            expect(
                &mut c.reader,
                format!("pong {k}\r").as_bytes(),
                Duration::from_secs(10),
            )
            .await
        }
        .await;
        match ok {
            Ok(()) => p.rtt_us.push(sent.elapsed().as_micros() as u64),
            Err(_) => {
                p.errors += 1;
                // A lost connection cannot be pinged any more.
                break;
            }
        }
        next += interval;
        let wait = next.saturating_duration_since(Instant::now());
        async_std::task::sleep(wait).await;
    }
    (c, p)
}

fn percentile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

/// Waits (bounded) until the driver's descriptor count is at most `target`.
async fn settle_fds(pid: u32, target: usize, limit: Duration) -> (usize, Duration) {
    let start = Instant::now();
    loop {
        let fds = fd_count(pid);
        if fds <= target || start.elapsed() >= limit {
            return (fds, start.elapsed());
        }
        async_std::task::sleep(Duration::from_millis(100)).await;
    }
}

async fn run(o: &Options, pid: u32, port: u16) -> Result<()> {
    // Wait (bounded) for the driver to listen.
    let booted = Instant::now();
    let probe = loop {
        match connect(port).await {
            Ok(c) => break c,
            Err(_) if booted.elapsed() < Duration::from_secs(30) => {
                async_std::task::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e.context("the driver never answered")),
        }
    };
    drop(probe);
    async_std::task::sleep(Duration::from_millis(500)).await;
    let rss0 = rss_kib(pid);
    let fds0 = fd_count(pid);
    println!(
        "driver pid {pid}, port {port}: booted in {:.2?}",
        booted.elapsed()
    );
    println!("baseline: RSS {rss0} KiB, fds {fds0}");

    // Phase 1: hold the clients.
    let t = Instant::now();
    let (clients, failed) = connect_many(port, o.clients, o.batch).await;
    let held = clients.len();
    let connect_time = t.elapsed();
    let rss1 = rss_kib(pid);
    let fds1 = fd_count(pid);
    println!(
        "connected {held}/{} clients in {connect_time:.2?} ({failed} failed): RSS {rss1} KiB, fds {fds1}",
        o.clients
    );
    if held > 0 {
        println!(
            "  per connection: {:.1} KiB RSS, {:.2} fds",
            (rss1.saturating_sub(rss0)) as f64 / held as f64,
            (fds1.saturating_sub(fds0)) as f64 / held as f64
        );
    }

    // Phase 2: every client pings at the fixed rate for the set time.
    let interval = Duration::from_secs_f64(1.0 / o.rate);
    let start = Instant::now();
    let end = start + Duration::from_secs(o.seconds);
    let n = held.max(1);
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let offset = interval.mul_f64(i as f64 / n as f64);
            async_std::task::spawn(ping_loop(c, interval, offset, end))
        })
        .collect();
    // Sample the driver while the load runs.
    let mut rss_peak = rss1;
    let mut fds_during = fds1;
    while Instant::now() < end {
        async_std::task::sleep(Duration::from_millis(500)).await;
        rss_peak = rss_peak.max(rss_kib(pid));
        fds_during = fds_during.max(fd_count(pid));
    }
    let mut rtts = Vec::new();
    let mut errors = 0;
    let mut clients = Vec::with_capacity(held);
    for task in tasks {
        let (c, p) = task.await;
        rtts.extend(p.rtt_us);
        errors += p.errors;
        if p.errors == 0 {
            clients.push(c);
        }
    }
    // Rates are over the load window; answers still in flight at its end
    // are counted too.
    let elapsed = end.duration_since(start).as_secs_f64();
    rtts.sort_unstable();
    let still_held = clients.len();
    println!(
        "load: {} commands in {elapsed:.1} s = {:.0} commands/s ({} per client per s asked), {errors} errors, {still_held} still held",
        rtts.len(),
        rtts.len() as f64 / elapsed,
        o.rate
    );
    println!(
        "  round trip: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&rtts, 0.5),
        percentile(&rtts, 0.99),
        percentile(&rtts, 1.0)
    );
    let rss2 = rss_kib(pid);
    println!("  during: RSS peak {rss_peak} KiB, now {rss2} KiB, fds {fds_during}");

    // Phase 3: everybody leaves.
    drop(clients);
    let (fds3, took) = settle_fds(pid, fds0, Duration::from_secs(30)).await;
    async_std::task::sleep(Duration::from_millis(500)).await;
    let rss3 = rss_kib(pid);
    println!(
        "after disconnect: fds {fds3} (baseline {fds0}, settled in {took:.2?}), RSS {rss3} KiB ({:+} KiB from baseline)",
        rss3 as i64 - rss0 as i64
    );

    // Phase 4: churn, connects that come and go.
    if o.churn > 0 && o.churn_seconds > 0 {
        churn(o, pid, port, fds0, rss3).await;
    }

    // Phase 5: quiet. The allocator gives freed pages back over about ten
    // seconds; wait until the resident size stops falling (at most 30 s).
    let quiet = Instant::now();
    let mut rss = rss_kib(pid);
    while quiet.elapsed() < Duration::from_secs(30) {
        async_std::task::sleep(Duration::from_secs(2)).await;
        let now = rss_kib(pid);
        if now + 256 >= rss {
            rss = now;
            break;
        }
        rss = now;
    }
    println!(
        "quiet for {:.0?}: RSS {rss} KiB ({:+} KiB from baseline)",
        quiet.elapsed(),
        rss as i64 - rss0 as i64
    );
    Ok(())
}

/// One short visit: connect, one ping, leave.
async fn visit(port: u16) -> Result<()> {
    let mut c = connect(port).await?;
    c.writer.write_all(b"ping 1\n").await?;
    expect(&mut c.reader, b"pong 1\r", Duration::from_secs(10)).await
}

async fn churn(o: &Options, pid: u32, port: u16, fds0: usize, rss_before: u64) {
    let start = Instant::now();
    let mut ok = 0;
    let mut failed = 0;
    let mut fds_peak = 0;
    for second in 0..o.churn_seconds {
        let tick = start + Duration::from_secs(second + 1);
        // Spread the second's connects evenly over it.
        let gap = Duration::from_secs_f64(1.0 / o.churn as f64);
        let visits = (0..o.churn).map(move |i| async move {
            async_std::task::sleep(gap.mul_f64(i as f64)).await;
            visit(port).await
        });
        let handle = async_std::task::spawn(join_all(visits));
        while Instant::now() < tick {
            async_std::task::sleep(Duration::from_millis(100)).await;
            fds_peak = fds_peak.max(fd_count(pid));
        }
        for r in handle.await {
            match r {
                Ok(()) => ok += 1,
                Err(_) => failed += 1,
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (fds, took) = settle_fds(pid, fds0, Duration::from_secs(30)).await;
    async_std::task::sleep(Duration::from_millis(500)).await;
    let rss = rss_kib(pid);
    println!(
        "churn: {ok} visits ({failed} failed) in {elapsed:.1} s = {:.0} connects/s asked {}/s; fds peak {fds_peak}",
        ok as f64 / elapsed,
        o.churn
    );
    println!(
        "  after churn: fds {fds} (baseline {fds0}, settled in {took:.2?}): {}; RSS {rss} KiB ({:+} KiB from before churn)",
        if fds <= fds0 {
            "back to baseline"
        } else {
            "ABOVE baseline"
        },
        rss as i64 - rss_before as i64
    );
}
