//! gRPC unary calls per second between the driver and a tonic peer, both
//! ways, on loopback:
//!
//! 1. `grpc_call` to a tonic server: this program serves `bench.Echo` of
//!    `tests/bench/bench.proto` with tonic and starts the driver on a copy
//!    of `tests/bench` with `-fgrpc-call:URL`; `grpc_bench.c` keeps 16 calls
//!    in flight for five seconds and prints the rate.
//! 2. `grpc_serve` to a tonic client: the driver serves `bench.Echo` from
//!    `grpc_bench.c` (`-fgrpc-serve:PORT`) and this program keeps
//!    `--inflight N` calls going over one HTTP/2 connection for
//!    `--seconds S`, checks every answer and prints the rate.
//!
//! `cargo build --release -p driver --bins --examples && target/release/examples/grpcbench`
#![allow(clippy::disallowed_methods)]

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use hyper::http;
use tonic::server::UnaryService;
use tonic::{Request, Response, Status};

mod bench_driver;
#[path = "../tests/tonic_peer/mod.rs"]
mod tonic_peer;
use tonic_peer::ProstCodec;

#[derive(Clone, PartialEq, prost::Message)]
struct Ping {
    #[prost(int64, tag = "1")]
    n: i64,
    #[prost(string, tag = "2")]
    text: String,
}

/// `bench.Echo/Call`: the request back.
#[derive(Clone)]
struct Echo;

impl UnaryService<Ping> for Echo {
    type Response = Ping;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Ping>, Status>> + Send>>;

    fn call(&mut self, request: Request<Ping>) -> Self::Future {
        let ping = request.into_inner();
        Box::pin(async move { Ok(Response::new(ping)) })
    }
}

/// Answers `bench.Echo/Call` and refuses anything else.
async fn route(request: http::Request<tonic::body::Body>) -> http::Response<tonic::body::Body> {
    if request.uri().path() != "/bench.Echo/Call" {
        return Status::unimplemented(request.uri().path().to_string()).into_http();
    }
    let mut grpc = tonic::server::Grpc::new(ProstCodec::<Ping, Ping>::new());
    grpc.unary(Echo, request).await
}

fn main() -> Result<()> {
    let mut inflight = 16usize;
    let mut seconds = 5u64;
    for (arg, value) in bench_driver::flag_pairs()? {
        match arg.as_str() {
            "--inflight" => inflight = value.parse()?,
            "--seconds" => seconds = value.parse()?,
            _ => bail!("usage: grpcbench [--inflight N] [--seconds S]"),
        }
    }
    driver_calls_tonic()?;
    tonic_calls_driver(inflight, Duration::from_secs(seconds))
}

/// Serves `bench.Echo` with tonic on a thread of its own and has the
/// driver call it until `grpc_bench.c` stops the driver.
fn driver_calls_tonic() -> Result<()> {
    let port = tonic_peer::serve(route);
    let mut driver = bench_driver::Bench::start(&format!("grpc-call:http://127.0.0.1:{port}"))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = driver.child.try_wait()? {
            let output = driver.output();
            let report = output
                .lines()
                .filter(|l| l.contains("gRPC") || l.contains("fail"));
            for line in report {
                println!("{line}");
            }
            if !status.success() {
                bail!("the driver failed ({status}):\n{output}");
            }
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the driver did not finish:\n{}", driver.output());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Has the driver serve `bench.Echo` and calls it with tonic's client.
fn tonic_calls_driver(inflight: usize, window: Duration) -> Result<()> {
    let port = bench_driver::free_port()?;
    let driver = bench_driver::Bench::start(&format!("grpc-serve:{port}"))?;
    let result = tonic_peer::runtime().block_on(call_driver(port, inflight, window));
    if result.is_err() {
        eprintln!("driver output:\n{}", driver.output());
    }
    result
}

async fn call_driver(port: u16, inflight: usize, window: Duration) -> Result<()> {
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}"))?;
    let booted = Instant::now();
    let channel = loop {
        match endpoint.connect().await {
            Ok(channel) => break channel,
            Err(_) if booted.elapsed() < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => bail!("grpc_serve never answered: {e}"),
        }
    };
    let client = tonic::client::Grpc::new(channel);
    // The first call waits for the server to have the service in place.
    call_once(client.clone(), 0).await?;
    let started = Instant::now();
    let end = started + window;
    let callers: Vec<_> = (0..inflight)
        .map(|first| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut calls = 0u64;
                let mut n = first as i64;
                while Instant::now() < end {
                    call_once(client.clone(), n).await?;
                    calls += 1;
                    n += inflight as i64;
                }
                anyhow::Ok(calls)
            })
        })
        .collect();
    let mut calls = 0;
    for caller in callers {
        calls += caller.await??;
    }
    let elapsed = started.elapsed();
    println!(
        "gRPC unary calls (tonic client -> grpc_serve, {inflight} in flight): {calls} calls in {} ms = {:.0} calls/s, 0 failures",
        elapsed.as_millis(),
        calls as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

/// One call of `bench.Echo/Call` with `n`, whose answer must echo it.
async fn call_once(
    mut client: tonic::client::Grpc<tonic::transport::Channel>,
    n: i64,
) -> Result<()> {
    client.ready().await?;
    let ping = Ping {
        n,
        text: "ping".into(),
    };
    let path = "/bench.Echo/Call".parse()?;
    let answer = client
        .unary(
            Request::new(ping.clone()),
            path,
            ProstCodec::<Ping, Ping>::new(),
        )
        .await?
        .into_inner();
    if answer != ping {
        bail!("call {n} was answered with {answer:?}");
    }
    Ok(())
}
