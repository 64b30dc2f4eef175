//! The line editor. `engine.rs` is the session (buffer, addresses,
//! commands); this file ties sessions to the VM: the table of sessions by
//! object, the master applies the editor asks (`valid_read`,
//! `valid_write`, `make_path_absolute`, `retrieve_ed_setup`,
//! `save_ed_setup`, `get_save_file_name`), file access through the mudlib
//! jail, and the two ways of driving a session: `ed_start()`/`ed_cmd()`,
//! which return the editor's output to the object, and `ed()`, whose
//! session reads a user's input lines and writes to the user.

pub mod engine;
mod help;
mod indent;

use rustc_hash::FxHashMap;

pub use engine::{Abort, EdHost, EdOutcome, EdSession, StartConfig};

use crate::jail;
use crate::vm::object::ObjRef;
use crate::vm::value::Value;
use crate::vm::{Unwind, Vm};

/// Who a session talks to.
#[derive(Clone, Debug)]
pub enum Kind {
    /// Started by `ed_start()`: output goes back to the calling object.
    Object,
    /// Started by `ed()` for a user: output goes to the user.
    Interactive(Callbacks),
}

/// The functions an `ed()` session calls in the object that started it.
#[derive(Clone, Debug, Default)]
pub struct Callbacks {
    pub object: Option<ObjRef>,
    /// `write_fn(path, flag)`: asked before each write (flag 0; a zero
    /// answer cancels it), told after (flag 1).
    pub write_fn: Option<String>,
    /// `exit_fn()`: called once the session is over.
    pub exit_fn: Option<String>,
}

struct Entry {
    session: EdSession,
    kind: Kind,
}

/// Every open session, by the object (or user) it belongs to. A session
/// is taken out while it runs a command and put back afterwards.
#[derive(Default)]
pub struct Sessions {
    map: FxHashMap<ObjRef, Entry>,
}

impl Sessions {
    pub fn contains(&self, ob: ObjRef) -> bool {
        self.map.contains_key(&ob)
    }

    /// The file being edited, as `in_edit()` gives it.
    pub fn file_name(&self, ob: ObjRef) -> Option<String> {
        self.map.get(&ob).map(|e| e.session.file_name())
    }

    /// `query_ed_mode()` for `ob`: -1 without a session.
    pub fn mode(&self, ob: ObjRef) -> i64 {
        self.map.get(&ob).map_or(-1, |e| e.session.mode())
    }

    // The network layer asks for the prompt and routes input by this.
    #[allow(dead_code)]
    /// The prompt a user in the editor gets before typing: `:` for a
    /// command, `*\b` during text entry. `None` when not editing.
    pub fn prompt(&self, user: ObjRef) -> Option<&'static str> {
        let entry = self.map.get(&user)?;
        Some(if entry.session.appending() {
            "*\u{8}"
        } else {
            ":"
        })
    }

    #[allow(dead_code)]
    /// Whether `user` has an `ed()` session, whose input lines the
    /// network layer passes to [`interactive_input`].
    pub fn is_interactive(&self, user: ObjRef) -> bool {
        matches!(
            self.map.get(&user),
            Some(Entry {
                kind: Kind::Interactive(_),
                ..
            })
        )
    }
}

/// Starts an `ed_start()` session for `ob`; returns its first output.
pub fn start_object_session(
    vm: &mut Vm,
    ob: ObjRef,
    file: Option<&str>,
    config: StartConfig,
) -> Result<String, Unwind> {
    let (session, out) = start(vm, ob, file, config, Kind::Object)?;
    vm.ed.map.insert(
        ob,
        Entry {
            session,
            kind: Kind::Object,
        },
    );
    Ok(out)
}

/// Starts an `ed()` session on `user`'s connection; its output goes to
/// the user.
pub fn start_interactive(
    vm: &mut Vm,
    user: ObjRef,
    file: Option<&str>,
    config: StartConfig,
    callbacks: Callbacks,
) -> Result<(), Unwind> {
    let kind = Kind::Interactive(callbacks);
    let (session, out) = start(vm, user, file, config, kind.clone())?;
    vm.ed.map.insert(user, Entry { session, kind });
    deliver(vm, user, &out)
}

fn start(
    vm: &mut Vm,
    editor: ObjRef,
    file: Option<&str>,
    mut config: StartConfig,
    kind: Kind,
) -> Result<(EdSession, String), Unwind> {
    let setup = master_apply(vm, "retrieve_ed_setup", vec![Value::Object(editor)])?;
    if let Some(Value::Int(n)) = setup {
        config.setup = n;
    }
    let mut host = VmHost::new(vm, editor, kind);
    match EdSession::start(file, &config, &mut host) {
        Ok(session) => Ok((session, std::mem::take(&mut host.out))),
        Err(Abort) => Err(host.take_failure()),
    }
}

/// Runs one line of an `ed_start()` session of `ob`; returns the output.
pub fn object_command(vm: &mut Vm, ob: ObjRef, line: &str) -> Result<String, Unwind> {
    let Some(entry) = vm.ed.map.remove(&ob) else {
        return Err(crate::vm::error(
            "ed_cmd() called with no ed session active.",
        ));
    };
    let Entry { mut session, kind } = entry;
    let mut host = VmHost::new(vm, ob, kind.clone());
    let result = session.command(line, &mut host);
    let out = std::mem::take(&mut host.out);
    let failure = host.failure.take();
    match result {
        Ok(EdOutcome::Exit) => Ok(out),
        Ok(EdOutcome::Continue) => {
            keep(vm, ob, session, kind);
            Ok(out)
        }
        Err(Abort) => {
            keep(vm, ob, session, kind);
            Err(failure.unwrap_or_else(|| crate::vm::error("ed: command failed")))
        }
    }
}

// Called by the network layer for each line a user in `ed()` types.
#[allow(dead_code)]
/// Hands a line the user typed to the user's `ed()` session; the editor's
/// output goes to the user. Does nothing when the user is not editing.
pub fn interactive_input(vm: &mut Vm, user: ObjRef, line: &str) -> Result<(), Unwind> {
    let Some(Entry { mut session, kind }) = vm.ed.map.remove(&user) else {
        return Ok(());
    };
    let mut host = VmHost::new(vm, user, kind.clone());
    let result = session.command(line, &mut host);
    let out = std::mem::take(&mut host.out);
    let failure = host.failure.take();
    deliver(vm, user, &out)?;
    match result {
        Ok(EdOutcome::Continue) => {
            keep(vm, user, session, kind);
            Ok(())
        }
        Ok(EdOutcome::Exit) => {
            call_exit(vm, &kind);
            Ok(())
        }
        Err(Abort) => {
            keep(vm, user, session, kind);
            Err(failure.unwrap_or_else(|| crate::vm::error("ed: command failed")))
        }
    }
}

// Called by the network layer when a connection closes.
#[allow(dead_code)]
/// The user's connection closed: saves the buffer where the master's
/// `get_save_file_name` says and ends the session.
pub fn disconnect(vm: &mut Vm, user: ObjRef) {
    abandon(vm, user);
}

/// `ob` is being destructed: its session ends as on a disconnection.
pub fn on_destruct(vm: &mut Vm, ob: ObjRef) {
    abandon(vm, ob);
}

/// Puts a session back unless its object died while the command ran.
fn keep(vm: &mut Vm, ob: ObjRef, session: EdSession, kind: Kind) {
    if vm.objects.alive(ob) {
        vm.ed.map.insert(ob, Entry { session, kind });
    }
}

/// Ends a session that was not quit: the emergency save, then for an
/// `ed()` session its `exit_fn`. Errors are reported, never raised, as
/// this runs while an object goes away.
fn abandon(vm: &mut Vm, ob: ObjRef) {
    let Some(Entry { mut session, kind }) = vm.ed.map.remove(&ob) else {
        return;
    };
    let args = match kind {
        Kind::Object => vec![Value::str(session.bare_file_name())],
        Kind::Interactive(_) => vec![
            Value::str(format!("/{}", session.bare_file_name())),
            Value::Object(ob),
        ],
    };
    match master_apply(vm, "get_save_file_name", args) {
        Ok(Some(Value::Str(name))) => {
            let path = format!("/{}", name.text.trim_start_matches('/'));
            let mut host = VmHost::new(vm, ob, kind.clone());
            host.silent = true;
            if session.emergency_save(&path, &mut host).is_err() {
                let failure = host.take_failure();
                crate::boot::report(vm, &failure);
            }
        }
        Ok(_) => {}
        Err(e) => crate::boot::report(vm, &e),
    }
    call_exit(vm, &kind);
}

/// Calls an `ed()` session's `exit_fn`, reporting its errors.
fn call_exit(vm: &mut Vm, kind: &Kind) {
    let Kind::Interactive(Callbacks {
        object: Some(object),
        exit_fn: Some(exit_fn),
        ..
    }) = kind
    else {
        return;
    };
    if let Err(e) = vm.apply(*object, exit_fn, Vec::new(), true) {
        crate::boot::report(vm, &e);
    }
}

/// Sends editor output to a user. The driver has no connections yet, so
/// the text goes to the user object's `catch_tell`, as FluffOS's
/// `tell_object` does for objects without a connection.
fn deliver(vm: &mut Vm, user: ObjRef, text: &str) -> Result<(), Unwind> {
    if text.is_empty() || !vm.objects.alive(user) {
        return Ok(());
    }
    // Editor output goes straight to the user's connection, as it is
    // meant for the person typing; an object without one hears it
    // through `catch_tell`.
    if let Some(conn) = vm.backend.net.of(user) {
        conn.send_text(text);
        return Ok(());
    }
    vm.apply(user, "catch_tell", vec![Value::str(text)], true)
        .map(|_| ())
}

fn master_apply(vm: &mut Vm, name: &str, args: Vec<Value>) -> Result<Option<Value>, Unwind> {
    let Some(master) = vm.master.filter(|&m| vm.objects.alive(m)) else {
        return Ok(None);
    };
    vm.apply(master, name, args, true)
}

/// The editor's view of the VM for one command.
struct VmHost<'a> {
    vm: &'a mut Vm,
    /// The object whose session it is: the one the master's checks name.
    editor: ObjRef,
    kind: Kind,
    out: String,
    /// Output is dropped (an emergency save nobody sees).
    silent: bool,
    /// The error that stopped the command.
    failure: Option<Unwind>,
}

impl<'a> VmHost<'a> {
    fn new(vm: &'a mut Vm, editor: ObjRef, kind: Kind) -> VmHost<'a> {
        VmHost {
            vm,
            editor,
            kind,
            out: String::new(),
            silent: false,
            failure: None,
        }
    }

    fn take_failure(&mut self) -> Unwind {
        self.failure
            .take()
            .unwrap_or_else(|| crate::vm::error("ed: command failed"))
    }

    /// Stores an error for the caller and stops the command.
    fn fail<T>(&mut self, e: Unwind) -> Result<T, Abort> {
        self.failure = Some(e);
        Err(Abort)
    }

    /// Before LPC code runs, a user sees the output so far, so what that
    /// code prints comes after it.
    fn flush_to_user(&mut self) -> Result<(), Abort> {
        if let Kind::Interactive(_) = self.kind
            && !self.out.is_empty()
        {
            let text = std::mem::take(&mut self.out);
            if let Err(e) = deliver(self.vm, self.editor, &text) {
                return self.fail(e);
            }
        }
        Ok(())
    }

    /// Calls the session's `write_fn`, reporting its errors as a zero.
    fn call_write_fn(&mut self, path: &str, flag: i64) -> Result<Option<Value>, Abort> {
        let Kind::Interactive(Callbacks {
            object: Some(object),
            write_fn: Some(write_fn),
            ..
        }) = &self.kind
        else {
            return Ok(None);
        };
        let (object, write_fn) = (*object, write_fn.clone());
        self.flush_to_user()?;
        let args = vec![Value::str(path), Value::Int(flag)];
        match self.vm.apply(object, &write_fn, args, true) {
            Ok(v) => Ok(Some(v.unwrap_or(Value::Int(0)))),
            Err(e @ (Unwind::Error(_) | Unwind::Throw(_))) => {
                crate::boot::report(self.vm, &e);
                Ok(Some(Value::Int(0)))
            }
            Err(e) => self.fail(e),
        }
    }

    fn host_path(&self, path: &str) -> Option<std::path::PathBuf> {
        let mud = jail::normalize(path)?;
        jail::contain(&self.vm.compiler.provider.root, &mud)
    }
}

impl EdHost for VmHost<'_> {
    fn output(&mut self, text: &str) {
        if !self.silent {
            self.out.push_str(text);
        }
    }

    fn make_path_absolute(&mut self, path: &str) -> Result<Option<String>, Abort> {
        self.flush_to_user()?;
        match master_apply(self.vm, "make_path_absolute", vec![Value::str(path)]) {
            Ok(Some(Value::Str(s))) => Ok(Some(s.text.to_string())),
            Ok(_) => Ok(None),
            Err(e) => self.fail(e),
        }
    }

    fn check_path(&mut self, path: &str, write: bool) -> Result<Option<String>, Abort> {
        self.flush_to_user()?;
        let mut path = path.to_string();
        if self.vm.master.is_some_and(|m| self.vm.objects.alive(m)) {
            let apply = if write { "valid_write" } else { "valid_read" };
            let args = vec![
                Value::str(path.clone()),
                Value::Object(self.editor),
                Value::str("ed_start"),
            ];
            match master_apply(self.vm, apply, args) {
                Ok(Some(Value::Str(s))) => path = s.text.to_string(),
                Ok(Some(v)) if !v.truthy() => return Ok(None),
                Ok(_) => {}
                Err(e) => return self.fail(e),
            }
        }
        let Some(mud) = jail::normalize(&path) else {
            return Ok(None);
        };
        if mud == "/" || jail::contain(&self.vm.compiler.provider.root, &mud).is_none() {
            return Ok(None);
        }
        Ok(Some(mud))
    }

    fn read_file(&mut self, path: &str) -> Option<Vec<u8>> {
        let host = self.host_path(path)?;
        if host.is_dir() {
            return None;
        }
        std::fs::read(host).ok()
    }

    fn write_file(&mut self, path: &str, data: &[u8], append: bool) -> bool {
        use std::io::Write;
        let Some(host) = self.host_path(path) else {
            return false;
        };
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .append(append)
            .truncate(!append)
            .open(host);
        match file {
            Ok(mut f) => f.write_all(data).is_ok(),
            Err(_) => false,
        }
    }

    fn before_write(&mut self, path: &str) -> Result<bool, Abort> {
        Ok(match self.call_write_fn(path, 0)? {
            Some(v) => v.truthy(),
            None => true,
        })
    }

    fn after_write(&mut self, path: &str) -> Result<(), Abort> {
        self.call_write_fn(path, 1).map(|_| ())
    }

    fn save_setup(&mut self, setup: i64) -> Result<bool, Abort> {
        self.flush_to_user()?;
        let args = vec![Value::Object(self.editor), Value::Int(setup)];
        match master_apply(self.vm, "save_ed_setup", args) {
            Ok(Some(Value::Int(n))) => Ok(n != 0),
            Ok(_) => Ok(false),
            Err(e) => self.fail(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::Compiler;
    use crate::vm::Limits;

    const MASTER: &str = r#"
string get_save_file_name(string file, object who) { return "/saved" + file; }
"#;

    /// A user that keeps what it is told and counts the editor's calls.
    const USER: &str = r#"
string got = "";
int exited, writes;
void catch_tell(string s) { got += s; }
string take() { string s = got; got = ""; return s; }
void done() { exited++; }
int query_exited() { return exited; }
int check_write(string file, int flag) { writes++; return file != "/refused.txt"; }
int query_writes() { return writes; }
"#;

    fn setup() -> (tempfile::TempDir, Vm, ObjRef) {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("master.c"), MASTER).expect("write");
        std::fs::write(dir.path().join("user.c"), USER).expect("write");
        std::fs::write(dir.path().join("a.txt"), "first\n").expect("write");
        let compiler = Compiler::new(dir.path(), None).expect("compiler");
        let mut vm = Vm::new(compiler, Limits::default());
        let master = vm.load_object("/master").expect("master loads");
        vm.master = Some(master);
        let user = vm.load_object("/user").expect("user loads");
        (dir, vm, user)
    }

    fn call(vm: &mut Vm, ob: ObjRef, f: &str) -> Value {
        vm.apply(ob, f, Vec::new(), false)
            .expect("call works")
            .expect("function exists")
    }

    fn told(vm: &mut Vm, user: ObjRef) -> String {
        match call(vm, user, "take") {
            Value::Str(s) => s.text.to_string(),
            other => panic!("not a string: {other:?}"),
        }
    }

    fn callbacks(user: ObjRef) -> Callbacks {
        Callbacks {
            object: Some(user),
            write_fn: Some("check_write".into()),
            exit_fn: Some("done".into()),
        }
    }

    #[test]
    fn interactive_sessions_talk_to_the_user() {
        let (dir, mut vm, user) = setup();
        start_interactive(
            &mut vm,
            user,
            Some("/a.txt"),
            StartConfig::default(),
            callbacks(user),
        )
        .expect("starts");
        assert!(vm.ed.is_interactive(user));
        assert_eq!(vm.ed.prompt(user), Some(":"));
        assert_eq!(vm.ed.file_name(user).as_deref(), Some("/a.txt"));
        interactive_input(&mut vm, user, "a").expect("input");
        assert_eq!(vm.ed.prompt(user), Some("*\u{8}"));
        interactive_input(&mut vm, user, "second").expect("input");
        interactive_input(&mut vm, user, ".").expect("input");
        interactive_input(&mut vm, user, ",p").expect("input");
        assert_eq!(told(&mut vm, user), "first\nsecond\n");
        interactive_input(&mut vm, user, "w").expect("input");
        assert_eq!(told(&mut vm, user), "\"/a.txt\" 2 lines 13 bytes\n");
        assert_eq!(call(&mut vm, user, "query_writes"), Value::Int(2));
        let text = std::fs::read_to_string(dir.path().join("a.txt")).expect("read");
        assert_eq!(text, "first\nsecond\n");
        // The write function can refuse a write.
        interactive_input(&mut vm, user, "w /refused.txt").expect("input");
        assert_eq!(told(&mut vm, user), "Failed command.\n");
        assert!(!dir.path().join("refused.txt").exists());
        interactive_input(&mut vm, user, "q").expect("input");
        assert_eq!(told(&mut vm, user), "Exit from ed.\n");
        assert_eq!(call(&mut vm, user, "query_exited"), Value::Int(1));
        assert!(!vm.ed.contains(user));
        assert_eq!(vm.ed.prompt(user), None);
    }

    #[test]
    fn a_disconnection_saves_the_buffer() {
        let (dir, mut vm, user) = setup();
        start_interactive(
            &mut vm,
            user,
            Some("/a.txt"),
            StartConfig::default(),
            callbacks(user),
        )
        .expect("starts");
        interactive_input(&mut vm, user, "s/first/changed/").expect("input");
        disconnect(&mut vm, user);
        assert!(!vm.ed.contains(user));
        let saved = std::fs::read_to_string(dir.path().join("saved/a.txt"));
        assert!(saved.is_err(), "no directory, no save");
        std::fs::create_dir(dir.path().join("saved")).expect("mkdir");
        start_interactive(
            &mut vm,
            user,
            Some("/a.txt"),
            StartConfig::default(),
            callbacks(user),
        )
        .expect("starts");
        interactive_input(&mut vm, user, "s/first/changed/").expect("input");
        disconnect(&mut vm, user);
        let saved = std::fs::read_to_string(dir.path().join("saved/a.txt")).expect("saved");
        assert_eq!(saved, "changed\n");
        assert_eq!(call(&mut vm, user, "query_exited"), Value::Int(2));
    }
}
