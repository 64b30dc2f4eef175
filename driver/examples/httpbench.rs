//! HTTP requests per second served by an LPC `http_serve` handler: starts
//! the driver on a copy of `tests/bench` with `-fhttp:PORT`, then keeps a
//! few keep-alive connections busy with GET requests on loopback for a
//! fixed time and reports requests per second and latency percentiles.
//!
//! `cargo run --release -p driver --example httpbench -- [--connections N] [--seconds S]`
//!
//! Build the driver first (`cargo build --release -p driver --bins --examples`); the
//! tool uses the binary next to itself.
#![allow(clippy::disallowed_methods)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

mod bench_driver;

fn main() -> Result<()> {
    let mut connections = 4usize;
    let mut seconds = 5u64;
    for (arg, value) in bench_driver::flag_pairs()? {
        match arg.as_str() {
            "--connections" => connections = value.parse()?,
            "--seconds" => seconds = value.parse()?,
            _ => bail!("usage: httpbench [--connections N] [--seconds S]"),
        }
    }
    let port = bench_driver::free_port()?;
    let mut driver = bench_driver::Bench::start(&format!("http:{port}"))?;
    let result = bench(port, connections, Duration::from_secs(seconds));
    driver.stop();
    if result.is_err() {
        eprintln!("driver output:\n{}", driver.output());
    }
    result
}

fn bench(port: u16, connections: usize, window: Duration) -> Result<()> {
    // Wait (bounded) for the server; the probe's answer is checked too.
    let booted = Instant::now();
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => {
                let mut conn = Conn::new(stream)?;
                let body = conn.get(0)?;
                println!("first answer: {body}");
                break;
            }
            Err(_) if booted.elapsed() < Duration::from_secs(30) => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => bail!("the server never answered: {e}"),
        }
    }
    let end = Instant::now() + window;
    let threads: Vec<_> = (0..connections)
        .map(|_| std::thread::spawn(move || client(port, end)))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in threads {
        match t.join() {
            Ok(Ok(mut l)) => latencies.append(&mut l),
            Ok(Err(e)) => {
                errors += 1;
                eprintln!("client failed: {e:#}");
            }
            Err(_) => errors += 1,
        }
    }
    latencies.sort_unstable();
    let secs = window.as_secs_f64();
    let pct = |q: f64| -> f64 {
        let i = ((latencies.len().saturating_sub(1)) as f64 * q).round() as usize;
        latencies.get(i).copied().unwrap_or(0) as f64 / 1000.0
    };
    println!(
        "{} requests in {secs:.1} s over {connections} keep-alive connections = {:.0} requests/s ({errors} clients failed)",
        latencies.len(),
        latencies.len() as f64 / secs
    );
    println!(
        "latency: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    Ok(())
}

/// One keep-alive connection: request, then read one whole response.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn new(stream: TcpStream) -> Result<Conn> {
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }

    fn get(&mut self, n: usize) -> Result<String> {
        write!(
            self.writer,
            "GET /bench/{n} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
        )?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        if !line.starts_with("HTTP/1.1 200") {
            bail!("unexpected status line {line:?}");
        }
        let mut length = None;
        // A bounded number of header lines.
        for _ in 0..100 {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                bail!("connection closed in the headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                let Some(length) = length else {
                    bail!("no content-length");
                };
                let mut body = vec![0; length];
                self.reader.read_exact(&mut body)?;
                return Ok(String::from_utf8_lossy(&body).into_owned());
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = Some(value.trim().parse::<usize>()?);
            }
        }
        bail!("more than 100 header lines")
    }
}

fn client(port: u16, end: Instant) -> Result<Vec<u64>> {
    let mut conn = Conn::new(TcpStream::connect(("127.0.0.1", port))?)?;
    let mut latencies = Vec::new();
    let mut n = 0;
    while Instant::now() < end {
        let start = Instant::now();
        let body = conn.get(n)?;
        if !body.contains(&format!("/bench/{n}\"")) {
            bail!("answer {body:?} is not for request {n}");
        }
        latencies.push(start.elapsed().as_micros() as u64);
        n += 1;
    }
    Ok(latencies)
}
