//! Inputs that once crashed a fuzz target (`driver/fuzz`), replayed
//! through the same code: `fuzz_regressions/<target>/*` files, each run
//! as its target runs it.

use std::path::Path;

use driver::compile::Compiler;
use driver::efuns::save::format::{Reader, encode};
use driver::net::mud::decode_reads;
use driver::net::telnet::{Input, MAX_LINE, Offers, Telnet};
use driver::vm::value::Value;
use driver::vm::{Limits, Vm};

/// Every saved input of `target`; none when it has no folder.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("read a saved input"))
        })
        .collect();
    found.sort();
    found
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

#[test]
fn telnet() {
    for (_, data) in inputs("telnet") {
        let [flags, step, rest @ ..] = data.as_slice() else {
            continue;
        };
        let offers = Offers {
            gmcp: flags & 1 != 0,
            mssp: flags & 2 != 0,
            mccp: flags & 4 != 0,
        };
        let mut whole = Telnet::new(offers);
        whole.char_mode = flags & 8 != 0;
        let mut split = whole.clone();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        whole.feed(rest, &mut a, &mut b);
        let (mut c, mut d) = (Vec::new(), Vec::new());
        for chunk in rest.chunks(usize::from(*step % 17) + 1) {
            split.feed(chunk, &mut c, &mut d);
        }
        assert_eq!((&a, &b), (&c, &d));
        for input in &a {
            if let Input::Line(line) = input {
                assert!(line.len() <= MAX_LINE);
            }
        }
    }
}

#[test]
fn mud() {
    for (_, data) in inputs("mud") {
        let [limit, step, rest @ ..] = data.as_slice() else {
            continue;
        };
        let limit = usize::from(*limit) * 4 + 1;
        let whole = decode_reads(limit, [rest]);
        assert_eq!(
            whole,
            decode_reads(limit, rest.chunks(usize::from(*step % 17) + 1))
        );
        let packets = whole.0;
        for packet in &packets {
            assert!(packet.len() <= limit && !packet.contains(&0));
        }
    }
}

#[test]
fn restore() {
    for (_, data) in inputs("restore") {
        let Some(text) = text(&data) else { continue };
        let reader = Reader {
            max_array: 1000,
            max_mapping: 1000,
            layouts: &[],
            hint: None,
        };
        if let Ok(value) = reader.read(text) {
            let mut out = String::new();
            let _ = encode(&value, &mut out);
        }
    }
}

#[test]
fn json() {
    for (_, data) in inputs("json") {
        let Some(text) = text(&data) else { continue };
        if let Ok(value) = driver::efuns::json::decode(text, &Limits::default()) {
            let _ = driver::efuns::json::encode(&value, false);
            let _ = driver::efuns::json::encode(&value, true);
        }
    }
}

#[test]
fn sscanf() {
    for (_, data) in inputs("sscanf") {
        let Some((input, format)) = text(&data).and_then(|t| t.split_once('\0')) else {
            continue;
        };
        let _ = driver::efuns::strings::sscanf(input, format, vec![Value::Int(0); 4]);
    }
}

#[test]
fn regex() {
    for (_, data) in inputs("regex") {
        let Some(text) = text(&data) else { continue };
        let (pattern, subject) = text
            .split_once('\0')
            .unwrap_or((text, "an example subject"));
        let _ = driver::efuns::regex::translate(pattern);
        if let Ok(re) = driver::efuns::regex::compile(pattern) {
            let _ = re.find(subject);
        }
    }
}

#[test]
fn sprintf() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let compiler = Compiler::new(dir.path(), None).expect("compiler");
    let mut vm = Vm::new(compiler, Limits::default());
    for (_, data) in inputs("sprintf") {
        let Some(format) = text(&data) else { continue };
        let args = vec![
            Value::Int(-42),
            Value::str("text with spaces\nand a second line"),
            Value::float(3.25),
            Value::array(vec![Value::Int(1), Value::str("two"), Value::float(-0.5)]),
            Value::Int(i64::MIN),
            Value::str("émoji 🎉 wide 漢字"),
            Value::Int(7),
            Value::str(""),
        ];
        let _ = driver::efuns::sprintf::sprintf(&mut vm, format, &args);
        vm.stack.clear();
    }
}

#[test]
fn http() {
    use driver::net::ws::{Request, file_path, parse_request};
    let dir = Path::new("/srv/www");
    for (name, data) in inputs("http") {
        let head = String::from_utf8_lossy(&data);
        let mut targets = vec![head.to_string()];
        if let Request::File(target) = parse_request(&head) {
            targets.push(target);
        }
        for target in targets {
            if let Some(path) = file_path(dir, &target) {
                assert!(path.starts_with(dir), "{name}: {target:?} maps to {path:?}");
            }
        }
    }
}
