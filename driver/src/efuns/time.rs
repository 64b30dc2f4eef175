//! Clocks and calendar time: `time`, `time_ns`, `real_time`,
//! `perf_counter_ns`, `uptime`, `rusage`, and the calendar efuns
//! (`localtime`, `ctime`, `strftime`, `strptime`, `zonetime`,
//! `is_daylight_savings_time`), which read the process's time zone (`TZ`).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rustc_hash::FxHashMap;

use super::{int_arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("time", time);
    m.insert("real_time", time);
    m.insert("time_ns", time_ns);
    m.insert("perf_counter_ns", perf_counter_ns);
    m.insert("uptime", uptime);
    m.insert("rusage", rusage);
    m.insert("localtime", localtime);
    m.insert("ctime", ctime);
    m.insert("strftime", strftime);
    m.insert("strptime", strptime);
    m.insert("zonetime", zonetime);
    m.insert("is_daylight_savings_time", is_daylight_savings_time);
}

fn since_epoch() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

fn time(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(Value::Int(since_epoch().as_secs() as i64))
}

fn time_ns(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(Value::Int(since_epoch().as_nanos() as i64))
}

/// Nanoseconds on a monotonic clock, for measuring intervals.
fn perf_counter_ns(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(Value::Int(vm.started.elapsed().as_nanos() as i64))
}

/// Seconds since the driver started.
fn uptime(vm: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    Ok(Value::Int(vm.started.elapsed().as_secs() as i64))
}

/// The process's resource usage; times in milliseconds.
fn rusage(_: &mut Vm, _: usize, _: usize) -> Result<Value, Unwind> {
    use nix::sys::resource::{UsageWho, getrusage};
    let m = crate::vm::ops::new_mapping(16);
    let Ok(usage) = getrusage(UsageWho::RUSAGE_SELF) else {
        return Ok(m);
    };
    let ms = |t: nix::sys::time::TimeVal| t.tv_sec() * 1000 + t.tv_usec() / 1000;
    let entries = [
        ("utime", ms(usage.user_time())),
        ("stime", ms(usage.system_time())),
        ("maxrss", usage.max_rss()),
        ("ixrss", usage.shared_integral()),
        ("idrss", usage.unshared_data_integral()),
        ("isrss", usage.unshared_stack_integral()),
        ("minflt", usage.minor_page_faults()),
        ("majflt", usage.major_page_faults()),
        ("nswap", usage.full_swaps()),
        ("inblock", usage.block_reads()),
        ("oublock", usage.block_writes()),
        ("msgsnd", usage.ipc_sends()),
        ("msgrcv", usage.ipc_receives()),
        ("nsignals", usage.signals()),
        ("nvcsw", usage.voluntary_context_switches()),
        ("nivcsw", usage.involuntary_context_switches()),
    ];
    if let Value::Mapping(map) = &m {
        let mut map = map.borrow_mut();
        for (k, v) in entries {
            map.insert(Value::str(k), Value::Int(v));
        }
    }
    Ok(m)
}

/// The process's time zone: `TZ` when set, else the system's.
fn local_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// A zone by IANA name or POSIX `TZ` rule; an unknown name is UTC, as the C
/// library treats it.
fn named_zone(name: &str) -> TimeZone {
    TimeZone::get(name)
        .or_else(|_| TimeZone::posix(name))
        .unwrap_or(TimeZone::UTC)
}

fn timestamp(seconds: i64, efun: &str) -> Result<Timestamp, Unwind> {
    Timestamp::from_second(seconds).map_err(|_| error(format!("{efun}(): time out of range")))
}

/// `localtime(t)`: `({ sec, min, hour, mday, mon (0-11), year, wday (0 =
/// Sunday), yday (0-365), gmtoff, zone, isdst })`, where `gmtoff` is the
/// zone's standard offset in seconds west of UTC and `zone` the
/// abbreviation in force.
fn localtime(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let t = int_arg(vm, base, argc, 0, "localtime")?;
    let Ok(ts) = Timestamp::from_second(t) else {
        return Ok(Value::Undefined);
    };
    let zone = local_zone();
    let info = zone.to_offset_info(ts);
    let dst = info.dst().is_dst();
    let offset = i64::from(info.offset().seconds());
    let standard = if dst { offset - 3600 } else { offset };
    let zoned = ts.to_zoned(zone.clone());
    let items = vec![
        Value::Int(i64::from(zoned.second())),
        Value::Int(i64::from(zoned.minute())),
        Value::Int(i64::from(zoned.hour())),
        Value::Int(i64::from(zoned.day())),
        Value::Int(i64::from(zoned.month()) - 1),
        Value::Int(i64::from(zoned.year())),
        Value::Int(i64::from(zoned.weekday().to_sunday_zero_offset())),
        Value::Int(i64::from(zoned.day_of_year()) - 1),
        Value::Int(-standard),
        Value::str(info.abbreviation()),
        Value::Int(i64::from(dst)),
    ];
    Ok(Value::array(items))
}

/// The classic `ctime` layout without its newline: `Sun Oct 11 22:12:51 2020`.
fn ctime_text(ts: Timestamp, zone: TimeZone) -> String {
    let z = ts.to_zoned(zone);
    let weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {}{:3} {:02}:{:02}:{:02} {}",
        weekday[z.weekday().to_sunday_zero_offset() as usize % 7],
        month[(z.month() as usize).saturating_sub(1) % 12],
        z.day(),
        z.hour(),
        z.minute(),
        z.second(),
        z.year()
    )
}

/// `ctime(t)`: the local time `t` (default now) as text.
fn ctime(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let t = if argc == 0 {
        since_epoch().as_secs() as i64
    } else {
        int_arg(vm, base, argc, 0, "ctime")?
    };
    let ts = timestamp(t, "ctime")?;
    Ok(Value::str(ctime_text(ts, local_zone())))
}

/// `strftime(format, t)`: the local time `t` (now when not positive)
/// formatted with C `strftime` directives.
fn strftime(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let format = str_arg(vm, base, argc, 0, "strftime")?;
    let mut t = int_arg(vm, base, argc, 1, "strftime")?;
    if t <= 0 {
        t = since_epoch().as_secs() as i64;
    }
    let zoned = timestamp(t, "strftime")?.to_zoned(local_zone());
    jiff::fmt::strtime::format(c_locale(&format.text).as_bytes(), &zoned)
        .map(Value::str)
        .map_err(|e| error(format!("strftime(): {e}")))
}

/// `format` with the locale-dependent directives spelled out as the C
/// locale has them: `%c`, `%x` and `%X`.
fn c_locale(format: &str) -> String {
    let mut out = String::with_capacity(format.len());
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('c') => out.push_str("%a %b %e %H:%M:%S %Y"),
            Some('x') => out.push_str("%m/%d/%y"),
            Some('X') => out.push_str("%H:%M:%S"),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// `strptime(format, text)`: the time `text` names, read with C
/// `strptime` directives; a time without a zone is local.
fn strptime(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let format = str_arg(vm, base, argc, 0, "strptime")?;
    let text = str_arg(vm, base, argc, 1, "strptime")?;
    let failed = |_| error("strptime() parse failed.");
    let parsed =
        jiff::fmt::strtime::parse(format.text.as_bytes(), text.text.as_bytes()).map_err(failed)?;
    let ts = match parsed.to_timestamp() {
        Ok(ts) => ts,
        Err(_) => parsed
            .to_datetime()
            .and_then(|dt| dt.to_zoned(local_zone()))
            .map_err(failed)?
            .timestamp(),
    };
    Ok(Value::Int(ts.as_second()))
}

/// `zonetime(zone, t)`: `ctime` of `t` in the named zone.
fn zonetime(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let zone = str_arg(vm, base, argc, 0, "zonetime")?;
    let t = int_arg(vm, base, argc, 1, "zonetime")?;
    let ts = timestamp(t, "zonetime").map_err(|_| error("bad argument to zonetime."))?;
    Ok(Value::str(ctime_text(ts, named_zone(&zone.text))))
}

/// `is_daylight_savings_time(zone, t)`: 1 when daylight saving time is in
/// force in the named zone at `t` (negative times count as 0).
fn is_daylight_savings_time(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let zone = str_arg(vm, base, argc, 0, "is_daylight_savings_time")?;
    let t = int_arg(vm, base, argc, 1, "is_daylight_savings_time")?.max(0);
    let Ok(ts) = Timestamp::from_second(t) else {
        return Ok(Value::Int(-1));
    };
    let dst = named_zone(&zone.text).to_offset_info(ts).dst().is_dst();
    Ok(Value::Int(i64::from(dst)))
}
