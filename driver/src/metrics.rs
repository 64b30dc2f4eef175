//! The driver's counters and gauges, and their Prometheus text page,
//! which every `http_serve` server answers at the config's `metrics path`.
//! Counters are atomics that any thread bumps with one call; the gauges
//! that need the VM's state are sampled on the VM thread by the backend.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::{Duration, Instant};

use lpcc::config::ConfigFile;

use crate::net::PortKind;
use crate::vm::Vm;

/// A number that only grows (or, for a gauge, is set as a whole).
pub struct Counter(AtomicU64);

impl Counter {
    const fn new() -> Counter {
        Counter(AtomicU64::new(0))
    }

    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub fn bump(&self) {
        self.add(1);
    }

    fn set(&self, n: u64) {
        self.0.store(n, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

pub static BYTES_IN: Counter = Counter::new();
pub static BYTES_OUT: Counter = Counter::new();
pub static COMMANDS: Counter = Counter::new();
pub static OBJECTS_LOADED: Counter = Counter::new();
pub static CLONES: Counter = Counter::new();
pub static CALL_OUTS: Counter = Counter::new();
pub static HEART_BEATS: Counter = Counter::new();
pub static HTTP_REQUESTS: Counter = Counter::new();
pub static CONNECTIONS_REFUSED: Counter = Counter::new();
pub static DB_QUERIES: Counter = Counter::new();
pub static GRPC_CALLS: Counter = Counter::new();
pub static MQTT_RECEIVED: Counter = Counter::new();
pub static MQTT_SENT: Counter = Counter::new();

/// The port kinds in the order of the per-kind tables.
const KINDS: [PortKind; 5] = [
    PortKind::Telnet,
    PortKind::Ascii,
    PortKind::Binary,
    PortKind::Websocket,
    PortKind::Mud,
];

fn kind_slot(kind: PortKind) -> usize {
    KINDS.iter().position(|&k| k == kind).unwrap_or(0)
}

static CONNECTIONS: [Counter; 5] = [const { Counter::new() }; 5];

/// Gauges sampled from the VM.
static OPEN: [Counter; 5] = [const { Counter::new() }; 5];
static OBJECTS: Counter = Counter::new();
static PENDING_CALL_OUTS: Counter = Counter::new();
static ACTIVE_HEART_BEATS: Counter = Counter::new();

/// A connection accepted on a port of `kind`.
pub fn connected(kind: PortKind) {
    CONNECTIONS[kind_slot(kind)].bump();
}

/// Upper bounds of the top-level call time buckets, in microseconds.
const BUCKETS: [u64; 10] = [
    50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000,
];
static TOP_BUCKETS: [Counter; 10] = [const { Counter::new() }; 10];
static TOP_COUNT: Counter = Counter::new();
static TOP_MICROS: Counter = Counter::new();

/// Times one top-level call (a command, a call_out, a heart beat, a
/// callback) from its start until it is dropped.
pub struct TopLevelTimer(Instant);

pub fn time_top_level() -> TopLevelTimer {
    TopLevelTimer(Instant::now())
}

impl Drop for TopLevelTimer {
    fn drop(&mut self) {
        let micros = self.0.elapsed().as_micros().min(u128::from(u64::MAX)) as u64;
        TOP_COUNT.bump();
        TOP_MICROS.add(micros);
        for (bound, bucket) in BUCKETS.iter().zip(&TOP_BUCKETS) {
            if micros <= *bound {
                bucket.bump();
            }
        }
    }
}

/// The path the page is served at, when the config asks for it.
static PATH: RwLock<Option<String>> = RwLock::new(None);

/// Reads `metrics path` from the config; called at boot.
pub fn configure(file: &ConfigFile) {
    let path = file
        .get("metrics path")
        .map(|p| p.trim().to_string())
        .filter(|p| p.starts_with('/'));
    if let Ok(mut slot) = PATH.write() {
        *slot = path;
    }
}

/// Whether a request for `path` is one for the metrics page.
pub fn is_page(method: &str, path: &str) -> bool {
    method == "GET"
        && PATH
            .read()
            .is_ok_and(|p| p.as_deref().is_some_and(|p| p == path))
}

/// How often the VM's gauges are sampled at most.
const SAMPLE_EVERY: Duration = Duration::from_millis(250);

/// Samples the gauges from the VM's state; the backend calls it every
/// pass, and it does the work at most every [`SAMPLE_EVERY`].
pub fn sample(vm: &Vm) {
    thread_local! {
        static LAST: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
    }
    let now = Instant::now();
    if LAST.get().is_some_and(|at| now < at + SAMPLE_EVERY) {
        return;
    }
    LAST.set(Some(now));
    OBJECTS.set(vm.objects.refs().count() as u64);
    let mut open = [0u64; 5];
    for conn in vm.backend.net.conns.values() {
        if let Some(n) = open.get_mut(kind_slot(conn.kind)) {
            *n += 1;
        }
    }
    for (gauge, n) in OPEN.iter().zip(open) {
        gauge.set(n);
    }
    PENDING_CALL_OUTS.set(vm.backend.timers.pending() as u64);
    ACTIVE_HEART_BEATS.set(vm.backend.timers.heart_beats.len() as u64);
}

/// The resident memory of the process in bytes, from /proc; 0 elsewhere.
fn resident_bytes() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

fn started() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// The page in the Prometheus text format.
pub fn render() -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let one = |v: u64| vec![(String::new(), v.to_string())];
    let by_kind = |table: &[Counter; 5]| {
        KINDS
            .iter()
            .zip(table)
            .map(|(k, c)| (format!("{{kind=\"{}\"}}", k.name()), c.get().to_string()))
            .collect::<Vec<_>>()
    };
    metric(
        "lpc_connections_total",
        "counter",
        "Connections accepted, by port kind.",
        &by_kind(&CONNECTIONS),
    );
    metric(
        "lpc_connections_open",
        "gauge",
        "Connections open now, by port kind.",
        &by_kind(&OPEN),
    );
    let counters: [(&str, &str, &Counter); 13] = [
        (
            "lpc_bytes_in_total",
            "Bytes read from connections.",
            &BYTES_IN,
        ),
        (
            "lpc_bytes_out_total",
            "Bytes written to connections.",
            &BYTES_OUT,
        ),
        (
            "lpc_commands_total",
            "Input lines processed as commands; rate() gives commands per second.",
            &COMMANDS,
        ),
        (
            "lpc_objects_loaded_total",
            "Objects loaded from source.",
            &OBJECTS_LOADED,
        ),
        ("lpc_clones_total", "Objects cloned.", &CLONES),
        ("lpc_call_outs_total", "call_outs run.", &CALL_OUTS),
        ("lpc_heart_beats_total", "heart_beat calls.", &HEART_BEATS),
        (
            "lpc_connections_refused_total",
            "Connections closed at once for their address's limit, on ports and HTTP servers.",
            &CONNECTIONS_REFUSED,
        ),
        (
            "lpc_http_requests_total",
            "Requests to http_serve servers.",
            &HTTP_REQUESTS,
        ),
        (
            "lpc_db_queries_total",
            "Statements run by db_exec and async_db_exec.",
            &DB_QUERIES,
        ),
        (
            "lpc_grpc_calls_total",
            "gRPC calls made by grpc_call and served by grpc_serve.",
            &GRPC_CALLS,
        ),
        (
            "lpc_mqtt_messages_received_total",
            "MQTT messages delivered to LPC.",
            &MQTT_RECEIVED,
        ),
        (
            "lpc_mqtt_messages_sent_total",
            "MQTT messages published from LPC.",
            &MQTT_SENT,
        ),
    ];
    for (name, help, counter) in counters {
        metric(name, "counter", help, &one(counter.get()));
    }
    let gauges: [(&str, &str, u64); 4] = [
        ("lpc_objects", "Objects in existence.", OBJECTS.get()),
        (
            "lpc_call_outs_pending",
            "call_outs waiting to run.",
            PENDING_CALL_OUTS.get(),
        ),
        (
            "lpc_heart_beats_active",
            "Objects with a heart beat.",
            ACTIVE_HEART_BEATS.get(),
        ),
        (
            "lpc_resident_memory_bytes",
            "Resident memory of the driver process.",
            resident_bytes(),
        ),
    ];
    for (name, help, value) in gauges {
        metric(name, "gauge", help, &one(value));
    }
    metric(
        "lpc_uptime_seconds",
        "gauge",
        "Seconds since the metrics started counting.",
        &[(
            String::new(),
            format!("{:.3}", started().elapsed().as_secs_f64()),
        )],
    );
    let mut samples: Vec<(String, String)> = BUCKETS
        .iter()
        .zip(&TOP_BUCKETS)
        .map(|(bound, c)| {
            let le = *bound as f64 / 1e6;
            (format!("_bucket{{le=\"{le}\"}}"), c.get().to_string())
        })
        .collect();
    samples.push(("_bucket{le=\"+Inf\"}".into(), TOP_COUNT.get().to_string()));
    samples.push(("_sum".into(), format!("{}", TOP_MICROS.get() as f64 / 1e6)));
    samples.push(("_count".into(), TOP_COUNT.get().to_string()));
    metric(
        "lpc_top_level_call_seconds",
        "histogram",
        "VM time of each top-level call: commands, call_outs, heart beats, callbacks.",
        &samples,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_counts_and_buckets() {
        started();
        CLONES.add(3);
        drop(time_top_level());
        let page = render();
        assert!(page.contains("# TYPE lpc_clones_total counter\n"), "{page}");
        let clones: u64 = page
            .lines()
            .find_map(|l| l.strip_prefix("lpc_clones_total "))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        assert!(clones >= 3, "{page}");
        assert!(
            page.contains("lpc_top_level_call_seconds_bucket{le=\"0.00005\"} ")
                && !page.contains("lpc_top_level_call_seconds_count 0\n"),
            "{page}"
        );
        assert!(
            page.contains("lpc_connections_total{kind=\"telnet\"} "),
            "{page}"
        );
    }
}
