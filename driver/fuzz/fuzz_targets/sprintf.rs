//! Fuzzes `sprintf` format strings against a fixed set of arguments of
//! every common type. Formatting needs a VM (for `%O` and the string
//! limit); one with an empty mudlib is built once per process.
#![no_main]

use std::cell::RefCell;

use driver::compile::Compiler;
use driver::efuns::sprintf::sprintf;
use driver::vm::value::Value;
use driver::vm::{Limits, Vm};
use libfuzzer_sys::fuzz_target;

thread_local! {
    static VM: RefCell<Option<Vm>> = RefCell::new(
        Compiler::new(&std::env::temp_dir(), None)
            .ok()
            .map(|compiler| Vm::new(compiler, Limits::default())),
    );
}

fn arguments() -> Vec<Value> {
    vec![
        Value::Int(-42),
        Value::str("text with spaces\nand a second line"),
        Value::float(3.25),
        Value::array(vec![Value::Int(1), Value::str("two"), Value::float(-0.5)]),
        Value::Int(i64::MIN),
        Value::str("émoji 🎉 wide 漢字"),
        Value::Int(7),
        Value::str(""),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Ok(format) = std::str::from_utf8(data) else {
        return;
    };
    VM.with(|vm| {
        let mut vm = vm.borrow_mut();
        let Some(vm) = vm.as_mut() else {
            return;
        };
        let args = arguments();
        let _ = sprintf(vm, format, &args);
        vm.stack.clear();
    });
});
