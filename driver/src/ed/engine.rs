//! The editing session itself: the buffer, addresses, commands and their
//! messages. It knows nothing of the VM or of connections; files, path
//! checks and output go through an [`EdHost`].

use std::collections::VecDeque;
use std::rc::Rc;

use regex::{Captures, Regex};

/// Flag bits of a session's settings, as the master's `save_ed_setup` and
/// `retrieve_ed_setup` see them (the low four bits hold the shift width).
pub const NUMBER: i64 = 0x10;
pub const LIST: i64 = 0x20;
pub const PRINT: i64 = 0x40;
pub const EIGHTBIT: i64 = 0x80;
pub const AUTOINDENT: i64 = 0x100;
pub const EXCOMPATIBLE: i64 = 0x200;
pub const DPRINT: i64 = 0x400;
pub const VERBOSE: i64 = 0x800;
const ALL_FLAGS: i64 = 0x0ff0;
const SHIFTWIDTH_MASK: i64 = 0x000f;
/// The shift width of a new session.
const DEFAULT_SHIFTWIDTH: i64 = 4;
/// Columns between tab stops when lines are shown or indented.
pub const TAB_WIDTH: usize = 8;
/// The most text a buffer holds, so that copying and substituting in a
/// loop cannot exhaust the driver's memory.
const MAX_BUFFER_BYTES: usize = 32 << 20;
/// The version `set` reports.
const VERSION: &str = "6.1";

/// The settings `set` names, each with its bit; `set noNAME` clears it.
const SETTINGS: &[(&str, i64)] = &[
    ("number", NUMBER),
    ("list", LIST),
    ("print", PRINT),
    ("eightbit", EIGHTBIT),
    ("autoindent", AUTOINDENT),
    ("excompatible", EXCOMPATIBLE),
    ("dprint", DPRINT),
    ("verbose", VERBOSE),
];

/// A host call ran LPC code that failed; the host keeps the error and the
/// command stops where it was.
#[derive(Debug)]
pub struct Abort;

/// What the editor needs from its surroundings.
pub trait EdHost {
    /// Text for the user of the session.
    fn output(&mut self, text: &str);
    /// The absolute form of a path that does not start with `/` (the
    /// master's `make_path_absolute`); `None` refuses it.
    fn make_path_absolute(&mut self, path: &str) -> Result<Option<String>, Abort>;
    /// The mudlib path (`/dir/file`) the user may read or write as `path`,
    /// or `None` when access is denied.
    fn check_path(&mut self, path: &str, write: bool) -> Result<Option<String>, Abort>;
    /// The bytes of a checked file; `None` when it cannot be read.
    fn read_file(&mut self, path: &str) -> Option<Vec<u8>>;
    /// Writes or appends to a checked file; false when that failed.
    fn write_file(&mut self, path: &str, data: &[u8], append: bool) -> bool;
    /// Asked before each write; false cancels it.
    fn before_write(&mut self, _path: &str) -> Result<bool, Abort> {
        Ok(true)
    }
    /// Told after each write.
    fn after_write(&mut self, _path: &str) -> Result<(), Abort> {
        Ok(())
    }
    /// Stores the settings for the user's next sessions; false when refused.
    fn save_setup(&mut self, setup: i64) -> Result<bool, Abort>;
}

/// What became of the session after a line of input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdOutcome {
    Continue,
    /// The user left the editor; the session is over.
    Exit,
}

/// How a session starts.
#[derive(Clone, Debug, Default)]
pub struct StartConfig {
    /// Only the file given may be edited: no `e`, `r`, `f`, writes to
    /// other names or `set save`.
    pub restricted: bool,
    /// Lines the scrolling commands show (0: 20).
    pub scroll_lines: usize,
    /// A setup from the master's `retrieve_ed_setup` (0: the defaults).
    pub setup: i64,
}

/// Why a command failed; each has its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fail {
    Changed,
    SetFailed,
    NoSubstitution,
    Unrecognized,
    BadRange,
    BadLineNumber,
    Syntax,
    RangeIllegal,
    Restricted,
    LinesIllegal,
    FileName,
    MarkAToZ,
    SubBadPattern,
    SubBadReplacement,
    BadDestination,
    EndOfFile,
    SearchFailed,
    /// No address where one is required (also the "none given" marker).
    NoAddress,
    Failed,
    /// The buffer would outgrow its limit.
    TooBig,
    Abort,
}

impl Fail {
    fn message(self) -> &'static str {
        match self {
            Fail::Changed => "To quit without saving: Q\nSave and quit: x\n",
            Fail::SetFailed => "`set' command failed.\n",
            Fail::NoSubstitution => "string substitution failed.\n",
            Fail::Unrecognized => "Unrecognized command.\n",
            Fail::BadRange => "Bad line range.\n",
            Fail::BadLineNumber => "Bad line number.\n",
            Fail::Syntax => "Bad command syntax.\n",
            Fail::RangeIllegal => "Cannot use ranges with that command.\n",
            Fail::Restricted => "That command is restricted.\n",
            Fail::LinesIllegal => "Cannot use lines or ranges with that command.\n",
            Fail::FileName => "File command failed.\n",
            Fail::MarkAToZ => "A mark must be in the range 'a to 'z.\n",
            Fail::SubBadPattern => "Bad pattern in search and replace.\n",
            Fail::SubBadReplacement => "Bad replacement in search and replace.\n",
            Fail::BadDestination => "Bad destination for move or copy.\n",
            Fail::EndOfFile => "End of file.\n",
            Fail::SearchFailed => "Search failed.\n",
            Fail::TooBig => "Out of memory: text may have been lost.\n",
            Fail::NoAddress | Fail::Failed | Fail::Abort => "Failed command.\n",
        }
    }
}

impl From<Abort> for Fail {
    fn from(_: Abort) -> Fail {
        Fail::Abort
    }
}

/// What a command that succeeded asks for next.
enum Flow {
    Done,
    /// Show the current line (a bare address moved there).
    PrintCurrent,
    Exit,
}

#[derive(Clone, Debug)]
struct Line {
    text: String,
    /// Picked by the pattern of a running `g` or `v`.
    global: bool,
}

/// One piece of a substitution's replacement.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    Text(String),
    /// `&`: the whole match.
    Whole,
    /// `\1`..`\9`.
    Group(usize),
}

/// The command line being parsed, with ed's end-of-line marker: reading
/// past the end gives `'\n'`.
struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn new(line: &str) -> Cursor {
        // A command is one line: anything after a newline is not read.
        let line = line.split('\n').next().unwrap_or("");
        Cursor {
            chars: line.chars().collect(),
            pos: 0,
        }
    }

    fn peek(&self) -> char {
        self.chars.get(self.pos).copied().unwrap_or('\n')
    }

    fn peek_at(&self, n: usize) -> char {
        self.chars.get(self.pos + n).copied().unwrap_or('\n')
    }

    fn bump(&mut self) -> char {
        let c = self.peek();
        if self.pos <= self.chars.len() {
            self.pos += 1;
        }
        c
    }

    fn at_end(&self) -> bool {
        self.peek() == '\n'
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), ' ' | '\t') {
            self.pos += 1;
        }
    }

    /// Whether the next character ends a word: a blank or the end.
    fn at_separator(&self) -> bool {
        matches!(self.peek(), ' ' | '\t' | '\n')
    }
}

/// An editing session: one buffer, its file name, settings and state.
pub struct EdSession {
    lines: Vec<Line>,
    /// The current line; 0 only when the buffer is empty or before line 1.
    cur: usize,
    /// The file name as a mudlib path (`/dir/file`), when there is one.
    fname: Option<String>,
    changed: bool,
    marks: [usize; 26],
    /// The last pattern, reused by an empty one.
    old_pattern: Option<Rc<Regex>>,
    flags: i64,
    shiftwidth: i64,
    restricted: bool,
    scroll_lines: usize,
    /// In text entry (`a`, `i`, `c`) until a line with a single `.`.
    appending: bool,
    /// Text entry uses autoindent, and the indent it is at.
    cur_autoindent: bool,
    leading_blanks: usize,
    /// Help pages still to show, one per `--Return to continue--`.
    more: VecDeque<String>,
    // The addresses of the command being run.
    line1: usize,
    line2: usize,
    nlines: usize,
    /// Output not yet handed to the host.
    out: String,
    /// The buffer and current line before the last command that changed
    /// them, for `u`.
    undo: Option<(Vec<String>, usize)>,
    /// The buffer as the running command (or text entry) found it.
    before: Option<(Vec<String>, usize)>,
    /// The most bytes of text the buffer may hold.
    limit: usize,
}

impl EdSession {
    /// Starts a session on `file` (checked for reading and read in, when
    /// given) and returns it.
    pub fn start(
        file: Option<&str>,
        config: &StartConfig,
        host: &mut dyn EdHost,
    ) -> Result<EdSession, Abort> {
        let mut session = EdSession {
            lines: Vec::new(),
            cur: 0,
            fname: None,
            changed: false,
            marks: [0; 26],
            old_pattern: None,
            flags: EIGHTBIT,
            shiftwidth: DEFAULT_SHIFTWIDTH,
            restricted: config.restricted,
            scroll_lines: if config.scroll_lines == 0 {
                20
            } else {
                config.scroll_lines
            },
            appending: false,
            cur_autoindent: false,
            leading_blanks: 0,
            more: VecDeque::new(),
            line1: 0,
            line2: 0,
            nlines: 0,
            out: String::new(),
            undo: None,
            before: None,
            limit: MAX_BUFFER_BYTES,
        };
        if config.setup != 0 {
            session.flags = config.setup & ALL_FLAGS;
            session.shiftwidth = config.setup & SHIFTWIDTH_MASK;
        }
        let checked = match file {
            Some(f) => host.check_path(f, false)?,
            None => None,
        };
        match checked {
            Some(path) => {
                if session.read_into(0, &path, host).is_ok() {
                    session.cur = usize::from(!session.lines.is_empty());
                }
                session.fname = Some(path);
            }
            None => session.out.push_str("No file.\n"),
        }
        session.flush(host);
        Ok(session)
    }

    /// The file being edited as `in_edit()` shows it: `/` alone when the
    /// session has no file name.
    pub fn file_name(&self) -> String {
        self.fname.clone().unwrap_or_else(|| "/".to_string())
    }

    /// The file name without its leading slash, as the master's
    /// `get_save_file_name` receives it from `ed_start()` sessions.
    pub fn bare_file_name(&self) -> String {
        self.fname
            .as_deref()
            .unwrap_or("")
            .trim_start_matches('/')
            .to_string()
    }

    /// `query_ed_mode()`: -2 at a help page prompt, the number the next
    /// line will get during text entry, else 0.
    pub fn mode(&self) -> i64 {
        if !self.more.is_empty() {
            -2
        } else if self.appending {
            self.cur as i64 + 1
        } else {
            0
        }
    }

    /// Whether the session is taking text rather than commands.
    #[allow(dead_code)] // Read through the network layer's prompt.
    pub fn appending(&self) -> bool {
        self.appending
    }

    /// The buffer, one string per line.
    #[cfg(test)]
    pub fn lines(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.text.to_string()).collect()
    }

    /// Runs one line of input: a command, a line of text, or a key press
    /// at a help page prompt.
    pub fn command(&mut self, line: &str, host: &mut dyn EdHost) -> Result<EdOutcome, Abort> {
        let outcome = self.dispatch(line, host);
        self.flush(host);
        outcome
    }

    /// Writes the whole buffer to `path` without asking about access, for
    /// the master's emergency save when the session ends abnormally.
    pub fn emergency_save(&mut self, path: &str, host: &mut dyn EdHost) -> Result<(), Abort> {
        let last = self.lines.len();
        let result = self.write_lines(1, last, path, false, host);
        self.flush(host);
        result.map(|_| ()).or_else(|f| match f {
            Fail::Abort => Err(Abort),
            _ => Ok(()),
        })
    }

    fn flush(&mut self, host: &mut dyn EdHost) {
        if !self.out.is_empty() {
            let text = std::mem::take(&mut self.out);
            host.output(&text);
        }
    }

    fn dispatch(&mut self, line: &str, host: &mut dyn EdHost) -> Result<EdOutcome, Abort> {
        if !self.more.is_empty() {
            self.next_help_page();
            return Ok(EdOutcome::Continue);
        }
        if self.appending {
            self.more_append(line);
            if !self.appending {
                self.remember_undo();
            }
            return Ok(EdOutcome::Continue);
        }
        let mut c = Cursor::new(line);
        self.before = Some((self.texts(), self.cur));
        let result = self.run_line(&mut c, host);
        if !self.appending {
            self.remember_undo();
        }
        match result {
            Ok(Flow::Exit) => {
                self.out.push_str("Exit from ed.\n");
                self.lines.clear();
                self.cur = 0;
                Ok(EdOutcome::Exit)
            }
            Ok(Flow::PrintCurrent) => {
                self.print_range(self.cur, self.cur);
                Ok(EdOutcome::Continue)
            }
            Ok(Flow::Done) => Ok(EdOutcome::Continue),
            Err(Fail::Abort) => Err(Abort),
            Err(fail) => {
                self.out.push_str(fail.message());
                Ok(EdOutcome::Continue)
            }
        }
    }

    /// The bytes the buffer may still grow by.
    fn room(&self) -> usize {
        let size: usize = self.lines.iter().map(|l| l.text.len() + 1).sum();
        self.limit.saturating_sub(size)
    }

    fn texts(&self) -> Vec<String> {
        self.lines.iter().map(|l| l.text.to_string()).collect()
    }

    /// After a command (or a text entry) ends: when it changed the buffer,
    /// the buffer before it is what `u` brings back.
    fn remember_undo(&mut self) {
        let Some((before, cur)) = self.before.take() else {
            return;
        };
        let same = before.len() == self.lines.len()
            && before.iter().zip(&self.lines).all(|(a, b)| *a == b.text);
        if !same {
            self.undo = Some((before, cur));
        }
    }

    /// `u`: back to the buffer before the last change; a second `u` undoes
    /// the undo.
    fn cmd_undo(&mut self, c: &Cursor, global: bool) -> Result<Flow, Fail> {
        if !c.at_end() || global {
            return Err(Fail::Syntax);
        }
        if self.nlines > 0 {
            return Err(Fail::LinesIllegal);
        }
        let Some((texts, cur)) = self.undo.take() else {
            return Err(Fail::Failed);
        };
        self.lines = texts
            .into_iter()
            .map(|text| Line {
                text,
                global: false,
            })
            .collect();
        self.cur = cur.min(self.last());
        self.changed = true;
        Ok(Flow::Done)
    }

    fn run_line(&mut self, c: &mut Cursor, host: &mut dyn EdHost) -> Result<Flow, Fail> {
        self.get_list(c)?;
        if matches!(c.peek(), 'g' | 'v') {
            self.mark_global(c)?;
            return self.run_global(c, host);
        }
        self.run_command(c, false, host)
    }

    fn last(&self) -> usize {
        self.lines.len()
    }

    fn next_line(&self, n: usize) -> usize {
        if n + 1 > self.last() { 0 } else { n + 1 }
    }

    fn prev_line(&self, n: usize) -> usize {
        if n == 0 { self.last() } else { n - 1 }
    }

    fn text(&self, n: usize) -> &str {
        n.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .map_or("", |l| l.text.as_str())
    }

    // ---------------------------------------------------------------
    // Addresses
    // ---------------------------------------------------------------

    /// One address term: a number, `.`, `$`, a search or a mark. Without
    /// one, the first term of an address is missing and a later one is 1.
    fn get_num(&mut self, c: &mut Cursor, first: bool) -> Result<usize, Fail> {
        c.skip_blanks();
        if c.peek().is_ascii_digit() {
            let mut n: usize = 0;
            while let Some(d) = c.peek().to_digit(10) {
                n = n.saturating_mul(10).saturating_add(d as usize);
                c.bump();
            }
            return Ok(n);
        }
        match c.peek() {
            '.' => {
                c.bump();
                Ok(self.cur)
            }
            '$' => {
                c.bump();
                Ok(self.last())
            }
            delim @ ('/' | '?') => {
                let pattern = self.pattern(c);
                if c.peek() == delim {
                    c.bump();
                }
                self.find(pattern, delim == '/')
            }
            '+' | '-' => Ok(if first { self.cur } else { 1 }),
            '\'' => {
                c.bump();
                let m = c.peek();
                if !m.is_ascii_lowercase() {
                    return Err(Fail::MarkAToZ);
                }
                c.bump();
                Ok(self.marks[(m as u8 - b'a') as usize])
            }
            _ if first => Err(Fail::NoAddress),
            _ => Ok(1),
        }
    }

    /// An address: a term followed by `+` and `-` offsets.
    fn get_one(&mut self, c: &mut Cursor) -> Result<usize, Fail> {
        let mut n = self.get_num(c, true)?;
        loop {
            c.skip_blanks();
            let op = c.peek();
            if op != '+' && op != '-' {
                break;
            }
            c.bump();
            let k = self.get_num(c, false)?;
            if op == '+' {
                n = n.saturating_add(k);
            } else {
                n = n.saturating_sub(k).max(1);
            }
        }
        if n > self.last() {
            return Err(Fail::BadLineNumber);
        }
        Ok(n)
    }

    /// The addresses before a command, separated by `,` or `;` (which also
    /// moves the current line); an address past the end means the last line.
    fn get_list(&mut self, c: &mut Cursor) -> Result<(), Fail> {
        self.line2 = 0;
        self.nlines = 0;
        c.skip_blanks();
        if matches!(c.peek(), ',' | ';') {
            return self.get_open_range(c);
        }
        let mut status = Ok(());
        loop {
            let n = match self.get_one(c) {
                Ok(n) => n,
                Err(Fail::BadLineNumber) => self.last(),
                Err(e) => {
                    status = Err(e);
                    break;
                }
            };
            self.line1 = self.line2;
            self.line2 = n;
            self.nlines += 1;
            let sep = c.peek();
            if sep != ',' && sep != ';' {
                break;
            }
            if sep == ';' {
                self.cur = n;
            }
            c.bump();
        }
        self.nlines = self.nlines.min(2);
        if self.nlines == 0 {
            self.line2 = self.cur;
        }
        if self.nlines <= 1 {
            self.line1 = self.line2;
        }
        match status {
            Err(Fail::NoAddress) | Ok(()) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A range with its first address left out: `,` starts at line 1 and
    /// `;` at the current line; without a second address it runs to the end.
    fn get_open_range(&mut self, c: &mut Cursor) -> Result<(), Fail> {
        let first = if c.bump() == ',' { 1 } else { self.cur };
        let second = match self.get_one(c) {
            Ok(n) => n,
            Err(Fail::NoAddress | Fail::BadLineNumber) => self.last(),
            Err(e) => return Err(e),
        };
        self.line1 = first.min(self.last());
        self.line2 = second;
        self.nlines = 2;
        Ok(())
    }

    /// Gives the range defaults when no address was typed, then checks it.
    fn default_range(&mut self, first: usize, second: usize) -> Result<(), Fail> {
        if self.nlines == 0 {
            self.line1 = first;
            self.line2 = second;
        }
        if self.line1 > self.line2 || self.line1 == 0 {
            return Err(Fail::BadRange);
        }
        Ok(())
    }

    // ---------------------------------------------------------------
    // Patterns
    // ---------------------------------------------------------------

    /// Reads a pattern up to its delimiter (the character under the
    /// cursor, which is consumed; the closing one is left). An empty
    /// pattern means the previous one. A bad pattern is reported and gives
    /// `None`, which also becomes the previous pattern.
    fn pattern(&mut self, c: &mut Cursor) -> Option<Rc<Regex>> {
        let delim = c.bump();
        if delim == '\n' {
            return self.old_pattern.clone();
        }
        let mut text = String::new();
        while c.peek() != delim && !c.at_end() {
            if c.peek() == '\\' && c.peek_at(1) != '\n' {
                text.push(c.bump());
            }
            text.push(c.bump());
        }
        if text.is_empty() {
            return self.old_pattern.clone();
        }
        self.old_pattern = match compile_pattern(&text, self.flags & EXCOMPATIBLE != 0) {
            Ok(re) => Some(Rc::new(re)),
            Err(message) => {
                self.out.push_str("ed: regular expression error: ");
                self.out.push_str(message.trim_end());
                self.out.push('\n');
                None
            }
        };
        self.old_pattern.clone()
    }

    /// The next line (or the previous, backwards) matching, wrapping
    /// around the buffer. The current line moves one step on the way.
    fn find(&mut self, pattern: Option<Rc<Regex>>, forward: bool) -> Result<usize, Fail> {
        let Some(re) = pattern else {
            return Err(Fail::Failed);
        };
        let start = self.cur;
        self.cur = if forward {
            self.next_line(start)
        } else {
            self.prev_line(start)
        };
        let mut n = self.cur;
        for _ in 0..self.last() {
            if re.is_match(self.text(n)) {
                return Ok(n);
            }
            n = if forward {
                self.next_line(n)
            } else {
                self.prev_line(n)
            };
        }
        self.cur = start;
        Err(Fail::SearchFailed)
    }

    /// `g/re/cmd` and `v/re/cmd`: picks the lines of the range (all lines
    /// by default) that match, or do not.
    fn mark_global(&mut self, c: &mut Cursor) -> Result<(), Fail> {
        let invert = c.bump() == 'v';
        self.default_range(1, self.last())?;
        let delim = c.peek();
        if delim <= ' ' {
            return Err(Fail::Failed);
        }
        let pattern = self.pattern(c);
        if c.peek() == delim {
            c.bump();
        }
        let (from, to) = (self.line1, self.line2);
        for (i, line) in self.lines.iter_mut().enumerate() {
            let n = i + 1;
            line.global = false;
            if let Some(re) = &pattern
                && (from..=to).contains(&n)
            {
                line.global = re.is_match(&line.text) != invert;
            }
        }
        Ok(())
    }

    /// Runs the rest of the line on each picked line in turn.
    fn run_global(&mut self, c: &mut Cursor, host: &mut dyn EdHost) -> Result<Flow, Fail> {
        let start = c.pos;
        while let Some(i) = self.lines.iter().position(|l| l.global) {
            self.lines[i].global = false;
            self.cur = i + 1;
            c.pos = start;
            self.get_list(c)?;
            if let Flow::Exit = self.run_command(c, true, host)? {
                return Ok(Flow::Exit);
            }
        }
        Ok(Flow::Done)
    }

    // ---------------------------------------------------------------
    // Commands
    // ---------------------------------------------------------------

    fn run_command(
        &mut self,
        c: &mut Cursor,
        global: bool,
        host: &mut dyn EdHost,
    ) -> Result<Flow, Fail> {
        c.skip_blanks();
        let cmd = c.bump();
        match cmd {
            '\n' => self.cmd_goto(),
            '=' => {
                self.out.push_str(&format!("{}\n", self.line2));
                Ok(Flow::Done)
            }
            'a' | 'o' | 'A' => {
                self.cur_autoindent = if cmd == 'A' {
                    self.flags & AUTOINDENT == 0
                } else {
                    self.flags & AUTOINDENT != 0
                };
                if !c.at_end() {
                    return Err(Fail::Syntax);
                }
                if self.nlines > 1 {
                    return Err(Fail::RangeIllegal);
                }
                if self.cur_autoindent {
                    self.count_blanks_of(self.line1);
                }
                self.begin_append(self.line1, global)?;
                self.changed = true;
                Ok(Flow::Done)
            }
            'i' | 'O' => {
                if !c.at_end() {
                    return Err(Fail::Syntax);
                }
                if self.nlines > 1 {
                    return Err(Fail::RangeIllegal);
                }
                self.cur_autoindent = self.flags & AUTOINDENT != 0;
                if self.cur_autoindent {
                    self.count_blanks_of(self.line1);
                }
                self.begin_append(self.line1.saturating_sub(1), global)?;
                self.changed = true;
                Ok(Flow::Done)
            }
            'c' => {
                if !c.at_end() {
                    return Err(Fail::Syntax);
                }
                self.default_range(self.cur, self.cur)?;
                self.cur_autoindent = self.flags & AUTOINDENT != 0;
                if self.cur_autoindent {
                    self.count_blanks_of(self.line1);
                }
                self.delete(self.line1, self.line2);
                self.begin_append(self.cur, global)?;
                self.changed = true;
                Ok(Flow::Done)
            }
            'd' => {
                if !c.at_end() {
                    return Err(Fail::Syntax);
                }
                self.default_range(self.cur, self.cur)?;
                self.delete(self.line1, self.line2);
                if self.next_line(self.cur) != 0 {
                    self.cur += 1;
                }
                if self.flags & DPRINT != 0 {
                    self.print_range(self.cur, self.cur);
                }
                self.changed = true;
                Ok(Flow::Done)
            }
            'e' | 'E' => {
                if self.restricted {
                    return Err(Fail::Restricted);
                }
                if self.nlines > 0 {
                    return Err(Fail::LinesIllegal);
                }
                if cmd == 'e' && self.changed {
                    return Err(Fail::Changed);
                }
                if !c.at_separator() {
                    return Err(Fail::Syntax);
                }
                let (path, _) = self.file_argument(c, false, host)?;
                let Some(path) = path else {
                    return Err(Fail::FileName);
                };
                self.lines.clear();
                self.cur = 0;
                // A file that cannot be read leaves an empty buffer named after it.
                let _ = self.read_into(0, &path, host);
                self.fname = Some(path);
                self.changed = false;
                Ok(Flow::Done)
            }
            'f' => {
                if self.restricted {
                    return Err(Fail::Restricted);
                }
                if self.nlines > 0 {
                    return Err(Fail::LinesIllegal);
                }
                if !c.at_separator() {
                    return Err(Fail::Syntax);
                }
                if c.at_end() {
                    let name = self.fname.clone().unwrap_or_else(|| "/".to_string());
                    self.out.push_str(&format!("{name}\n"));
                    return Ok(Flow::Done);
                }
                let (path, _) = self.file_argument(c, false, host)?;
                let Some(path) = path else {
                    return Err(Fail::FileName);
                };
                self.fname = Some(path);
                Ok(Flow::Done)
            }
            'j' => {
                if !c.at_end() {
                    return Err(Fail::Syntax);
                }
                self.default_range(self.cur, self.cur + 1)
                    .map_err(|_| Fail::Syntax)?;
                self.join(self.line1, self.line2)?;
                Ok(Flow::Done)
            }
            'k' => {
                c.skip_blanks();
                let m = c.peek();
                if !m.is_ascii_lowercase() {
                    return Err(Fail::MarkAToZ);
                }
                c.bump();
                if !c.at_separator() {
                    return Err(Fail::Syntax);
                }
                self.marks[(m as u8 - b'a') as usize] = self.line1;
                Ok(Flow::Done)
            }
            'l' | 'p' | 'P' => {
                if !c.at_end() {
                    return Err(Fail::Syntax);
                }
                self.default_range(self.cur, self.cur)?;
                let saved = self.flags;
                if cmd == 'l' {
                    self.flags |= LIST;
                }
                self.print_range(self.line1, self.line2);
                self.flags = saved;
                Ok(Flow::Done)
            }
            'm' => {
                let dest = self.get_one(c)?;
                self.default_range(self.cur, self.cur)?;
                self.move_lines(dest)?;
                self.changed = true;
                Ok(Flow::Done)
            }
            't' => {
                let dest = self.get_one(c).map_err(|_| Fail::BadDestination)?;
                self.default_range(self.cur, self.cur)?;
                self.copy_lines(dest)?;
                self.changed = true;
                Ok(Flow::Done)
            }
            'n' => {
                if !c.at_end() {
                    return Err(Fail::Syntax);
                }
                self.flags ^= NUMBER;
                let on = |b: bool| if b { "on" } else { "off" };
                self.out.push_str(&format!(
                    "number {}, list {}\n",
                    on(self.flags & NUMBER != 0),
                    on(self.flags & LIST != 0)
                ));
                Ok(Flow::Done)
            }
            'I' => {
                if self.nlines > 0 {
                    return Err(Fail::LinesIllegal);
                }
                if !c.at_end() {
                    return Err(Fail::Syntax);
                }
                self.out.push_str("Indenting entire code...\n");
                let texts: Vec<String> = self.lines.iter().map(|l| l.text.to_string()).collect();
                match super::indent::indent(&texts, self.shiftwidth as usize) {
                    Ok(done) => {
                        for (line, text) in self.lines.iter_mut().zip(done) {
                            line.text = text;
                        }
                        self.changed = true;
                        self.cur = self.last();
                        self.out.push_str("Indentation complete.\n");
                    }
                    Err(message) => {
                        self.out.push_str(&message);
                        self.out.push_str("Indentation halted.\n");
                    }
                }
                Ok(Flow::Done)
            }
            'h' | 'H' => {
                let topic = c.bump();
                let next = c.peek();
                self.help(topic, next);
                Ok(Flow::Done)
            }
            'q' | 'Q' => {
                if cmd == 'q' && self.changed {
                    return Err(Fail::Changed);
                }
                if !c.at_end() || global {
                    return Err(Fail::Syntax);
                }
                if self.nlines > 0 {
                    return Err(Fail::LinesIllegal);
                }
                Ok(Flow::Exit)
            }
            'r' => {
                if self.restricted {
                    return Err(Fail::Restricted);
                }
                if self.nlines > 1 {
                    return Err(Fail::RangeIllegal);
                }
                if self.nlines == 0 {
                    self.line2 = self.last();
                }
                if !c.at_separator() {
                    return Err(Fail::Syntax);
                }
                let (path, _) = self.file_argument(c, false, host)?;
                let Some(path) = path else {
                    return Err(Fail::FileName);
                };
                self.read_into(self.line2, &path, host)?;
                self.changed = true;
                Ok(Flow::Done)
            }
            's' if c.peek() == 'e' => self.cmd_set(c, host),
            'u' => self.cmd_undo(c, global),
            's' => self.cmd_substitute(c),
            'w' | 'W' => {
                let append = cmd == 'W';
                if !c.at_end() && self.restricted {
                    return Err(Fail::Restricted);
                }
                if !c.at_separator() {
                    return Err(Fail::Syntax);
                }
                let (path, _) = self.file_argument(c, true, host)?;
                let Some(path) = path else {
                    return Err(Fail::FileName);
                };
                self.default_range(1, self.last())?;
                self.write_lines(self.line1, self.line2, &path, append, host)?;
                self.changed = false;
                Ok(Flow::Done)
            }
            'x' => {
                if c.at_end() && self.nlines == 0 && !global {
                    let (path, _) = self.file_argument(c, true, host)?;
                    let Some(path) = path else {
                        return Err(Fail::FileName);
                    };
                    match self.write_lines(1, self.last(), &path, false, host) {
                        Ok(()) => return Ok(Flow::Exit),
                        Err(Fail::Abort) => return Err(Fail::Abort),
                        Err(_) => {}
                    }
                }
                if self.nlines > 0 {
                    return Err(Fail::LinesIllegal);
                }
                Err(Fail::Syntax)
            }
            'z' | 'Z' => {
                self.default_range(self.cur, self.cur)?;
                self.scroll(c, cmd == 'Z');
                Ok(Flow::Done)
            }
            _ => Err(Fail::Unrecognized),
        }
    }

    /// An empty command: moves to the next line (or the one addressed) and
    /// shows it; a range is shown.
    fn cmd_goto(&mut self) -> Result<Flow, Fail> {
        if self.nlines == 0 {
            self.line2 = self.next_line(self.cur);
            if self.line2 == 0 {
                return Err(Fail::EndOfFile);
            }
        }
        if self.nlines == 2 {
            if self.line1 > self.line2 || self.line1 == 0 {
                return Err(Fail::BadRange);
            }
            self.print_range(self.line1, self.line2);
            return Ok(Flow::Done);
        }
        self.cur = self.line2;
        Ok(Flow::PrintCurrent)
    }

    /// `z` shows a screen less one line, `Z` five lines more than a screen:
    /// from the current line (`+`, repeated for further screens), around
    /// it (`.`), or before it (`-`).
    fn scroll(&mut self, c: &mut Cursor, big: bool) {
        let screen = self.scroll_lines as i64;
        let line = self.line1 as i64;
        let step = if big { screen + 3 } else { screen - 2 };
        let (from, to) = match c.peek() {
            '-' => {
                let mut back = 0;
                while c.peek() == '-' {
                    back += step;
                    c.bump();
                }
                back = back.min(line - 1);
                if big {
                    (line - back, line + screen + 3 - back)
                } else {
                    (line - back, line + screen - 2 - back)
                }
            }
            '.' => {
                if big {
                    (line - (screen / 2 + 2), line + screen / 2 + 2)
                } else {
                    (line - screen / 2, line + screen / 2 - 1)
                }
            }
            '+' | '\n' => {
                c.bump();
                let mut ahead = 0;
                while c.peek() == '+' {
                    ahead += step;
                    c.bump();
                }
                if big {
                    (line + ahead, line + screen + 3 + ahead)
                } else {
                    (line + ahead, line + screen - 2 + ahead)
                }
            }
            _ => return,
        };
        self.print_range(from.max(1) as usize, to.max(0) as usize);
    }

    /// `set`: shows the settings, sets one (`set list`, `set nolist`,
    /// `set shiftwidth N`) or saves them with the master (`set save`).
    fn cmd_set(&mut self, c: &mut Cursor, host: &mut dyn EdHost) -> Result<Flow, Fail> {
        c.bump();
        if c.peek() == 't' {
            c.bump();
        } else if !c.at_separator() {
            return Err(Fail::Syntax);
        }
        if c.at_end() {
            let mut text = format!("ed version {VERSION}\n");
            for (name, bit) in SETTINGS {
                let state = if self.flags & bit != 0 { "on" } else { "off" };
                text.push_str(&format!("{name}:{state} "));
            }
            text.push_str(&format!("\nshiftwidth:{}\n", self.shiftwidth));
            self.out.push_str(&text);
            return Ok(Flow::Done);
        }
        c.skip_blanks();
        let mut word = String::new();
        while !c.at_separator() {
            if word.len() == 15 {
                self.out.push_str("Too long argument to 'set'!\n");
                return Ok(Flow::Done);
            }
            word.push(c.bump());
        }
        for (name, bit) in SETTINGS {
            if word == *name {
                self.flags |= bit;
                return Ok(Flow::Done);
            }
            if word.strip_prefix("no") == Some(name) {
                self.flags &= !bit;
                return Ok(Flow::Done);
            }
        }
        match word.as_str() {
            "save" => {
                if self.restricted {
                    return Err(Fail::SetFailed);
                }
                self.flush(host);
                if host.save_setup(self.shiftwidth | self.flags)? {
                    return Ok(Flow::Done);
                }
                Err(Fail::SetFailed)
            }
            "shiftwidth" => {
                c.skip_blanks();
                match c.peek().to_digit(10) {
                    Some(d) => {
                        self.shiftwidth = i64::from(d);
                        Ok(Flow::Done)
                    }
                    None => Err(Fail::SetFailed),
                }
            }
            _ => Err(Fail::SetFailed),
        }
    }

    /// `s/re/replacement/[g][p][N]`.
    fn cmd_substitute(&mut self, c: &mut Cursor) -> Result<Flow, Fail> {
        c.skip_blanks();
        let Some(re) = self.pattern(c) else {
            return Err(Fail::SubBadPattern);
        };
        let Some((pieces, global)) = replacement(c) else {
            return Err(Fail::SubBadReplacement);
        };
        let mut print = false;
        let mut which = 1usize;
        loop {
            match c.peek() {
                'p' => print = true,
                d if d.is_ascii_digit() => {
                    let mut n = 0usize;
                    while let Some(v) = c.peek().to_digit(10) {
                        n = n.saturating_mul(10).saturating_add(v as usize);
                        c.bump();
                    }
                    which = n.max(1);
                    continue;
                }
                _ => break,
            }
            c.bump();
        }
        self.default_range(self.cur, self.cur)?;
        let changes = self.substitute(&re, &pieces, global, which, print)?;
        if changes == 0 && !global {
            return Err(Fail::NoSubstitution);
        }
        if changes > 0 {
            self.changed = true;
        }
        if changes == 1 && self.flags & PRINT != 0 {
            self.print_range(self.cur, self.cur);
        }
        Ok(Flow::Done)
    }

    /// Replaces in each line of the range; a replacement holding a newline
    /// splits its line. Returns how many lines changed.
    fn substitute(
        &mut self,
        re: &Regex,
        pieces: &[Piece],
        global: bool,
        which: usize,
        print: bool,
    ) -> Result<usize, Fail> {
        let mut changes = 0;
        let mut n = self.line1;
        let mut end = self.line2;
        let mut room = self.room();
        while n <= end {
            self.cur = n;
            if let Some(new) = substitute_line(re, self.text(n), pieces, global, which) {
                let grown = new.len().saturating_sub(self.text(n).len());
                if grown > room {
                    return Err(Fail::TooBig);
                }
                room -= grown;
                let parts: Vec<Line> = new
                    .split('\n')
                    .map(|t| Line {
                        text: t.to_string(),
                        global: false,
                    })
                    .collect();
                let added = parts.len() - 1;
                self.lines.splice(n - 1..n, parts);
                n += added;
                end += added;
                self.cur = n;
                changes += 1;
                if print {
                    self.print_range(n, n);
                }
            }
            n += 1;
        }
        Ok(changes)
    }

    // ---------------------------------------------------------------
    // Buffer operations
    // ---------------------------------------------------------------

    /// Inserts `text` after line `after`, one line per newline in it; the
    /// current line becomes the last inserted.
    fn insert_after(&mut self, after: usize, text: &str) {
        let mut at = after.min(self.last());
        for part in text.split('\n') {
            self.lines.insert(
                at,
                Line {
                    text: part.to_string(),
                    global: false,
                },
            );
            at += 1;
        }
        self.cur = at;
    }

    /// Deletes lines `from..=to` (clamped to the buffer); the current line
    /// becomes the one before them.
    fn delete(&mut self, from: usize, to: usize) {
        let last = self.last();
        if last == 0 {
            return;
        }
        let from = from.clamp(1, last);
        let to = to.clamp(1, last);
        if from <= to {
            self.lines.drain(from - 1..to);
        }
        self.cur = self.prev_line(from).min(self.last());
    }

    fn join(&mut self, first: usize, last: usize) -> Result<(), Fail> {
        if first == 0 || first > last || last > self.last() {
            return Err(Fail::BadRange);
        }
        self.cur = first;
        if first == last {
            return Ok(());
        }
        let joined: String = self.lines[first - 1..last]
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        self.lines.drain(first..last);
        if let Some(line) = self.lines.get_mut(first - 1) {
            line.text = joined;
            line.global = false;
        }
        self.changed = true;
        Ok(())
    }

    /// Moves the addressed lines after line `dest`.
    fn move_lines(&mut self, dest: usize) -> Result<(), Fail> {
        let (from, to) = (self.line1, self.line2);
        if from <= dest && dest <= to {
            return Err(Fail::BadRange);
        }
        let block: Vec<Line> = self.lines.drain(from - 1..to).collect();
        let count = block.len();
        let dest = if dest > from { dest - count } else { dest };
        let dest = dest.min(self.last());
        self.lines.splice(dest..dest, block);
        self.cur = dest + count;
        Ok(())
    }

    /// Copies the addressed lines after line `dest`.
    fn copy_lines(&mut self, dest: usize) -> Result<(), Fail> {
        let (from, to) = (self.line1, self.line2);
        let size: usize = self.lines[from - 1..to]
            .iter()
            .map(|l| l.text.len() + 1)
            .sum();
        if size > self.room() {
            return Err(Fail::TooBig);
        }
        let block: Vec<Line> = self.lines[from - 1..to]
            .iter()
            .map(|l| Line {
                text: l.text.to_string(),
                global: false,
            })
            .collect();
        let count = block.len();
        let dest = dest.min(self.last());
        self.lines.splice(dest..dest, block);
        self.cur = dest + count;
        Ok(())
    }

    // ---------------------------------------------------------------
    // Text entry
    // ---------------------------------------------------------------

    fn begin_append(&mut self, after: usize, global: bool) -> Result<(), Fail> {
        if global {
            return Err(Fail::Syntax);
        }
        self.cur = after.min(self.last());
        self.appending = true;
        if self.flags & NUMBER != 0 {
            self.out.push_str(&format!("{:6}. ", self.cur + 1));
        }
        if self.cur_autoindent {
            self.out.push_str(&" ".repeat(self.leading_blanks));
        }
        Ok(())
    }

    fn more_append(&mut self, input: &str) {
        if input == "." {
            self.appending = false;
            return;
        }
        if self.flags & NUMBER != 0 {
            self.out.push_str(&format!("{:6}. ", self.cur + 2));
        }
        let mut text = input;
        let owned;
        if self.cur_autoindent {
            // ^D and ^K at the start step the indent back one shift width.
            let mut backed = false;
            while let Some(rest) = text
                .strip_prefix('\u{4}')
                .or_else(|| text.strip_prefix('\u{b}'))
            {
                text = rest;
                self.leading_blanks = self.leading_blanks.saturating_sub(self.shiftwidth as usize);
                backed = true;
            }
            owned = format!("{}{}", " ".repeat(self.leading_blanks), text);
            self.leading_blanks = leading_blanks(&owned);
            self.out.push_str(&" ".repeat(self.leading_blanks));
            if text.is_empty() && backed {
                return;
            }
            text = &owned;
        }
        if text.len() >= self.room() {
            self.out.push_str(Fail::TooBig.message());
            return;
        }
        let after = self.cur;
        self.insert_after(after, text);
    }

    fn count_blanks_of(&mut self, n: usize) {
        self.leading_blanks = leading_blanks(self.text(n));
    }

    // ---------------------------------------------------------------
    // Showing lines
    // ---------------------------------------------------------------

    /// Shows lines `from..=to` (clamped to the buffer); the current line
    /// becomes the last shown.
    fn print_range(&mut self, from: usize, to: usize) {
        let from = from.max(1);
        let to = to.min(self.last());
        if to == 0 {
            return;
        }
        if from > to {
            self.cur = from.min(self.last());
            return;
        }
        let number = self.flags & NUMBER != 0;
        let list = self.flags & LIST != 0;
        for n in from..=to {
            let shown = format_line(self.text(n), number.then_some(n), list);
            self.out.push_str(&shown);
            self.out.push('\n');
        }
        self.cur = to;
    }

    // ---------------------------------------------------------------
    // Files
    // ---------------------------------------------------------------

    /// The file a command names (or the session's file when none is
    /// typed), made absolute by the master and checked for access. The
    /// flag tells whether no name was typed.
    fn file_argument(
        &mut self,
        c: &mut Cursor,
        write: bool,
        host: &mut dyn EdHost,
    ) -> Result<(Option<String>, bool), Fail> {
        let typed = !c.at_end();
        let mut name = if typed {
            c.skip_blanks();
            let mut name = String::new();
            while !c.at_separator() {
                name.push(c.bump());
            }
            name
        } else {
            match &self.fname {
                Some(f) => f.clone(),
                None => {
                    self.out.push_str("no file name\n");
                    return Ok((None, true));
                }
            }
        };
        if name.is_empty() {
            self.out.push_str("Bad file name.\n");
            return Ok((None, !typed));
        }
        self.flush(host);
        if !name.starts_with('/') {
            match host.make_path_absolute(&name)? {
                Some(absolute) => name = absolute,
                None => return Ok((None, !typed)),
            }
        }
        Ok((host.check_path(&name, write)?, !typed))
    }

    /// Reads a checked file in after line `after`.
    fn read_into(&mut self, after: usize, path: &str, host: &mut dyn EdHost) -> Result<(), Fail> {
        let shown = path.trim_start_matches('/');
        let verbose = self.flags & VERBOSE != 0;
        if verbose {
            self.out.push_str(&format!("\"{shown}\" "));
        }
        self.flush(host);
        let Some(bytes) = host.read_file(path) else {
            self.out.push_str(&format!("{shown} isn't readable.\n"));
            return Err(Fail::Failed);
        };
        let mut nonascii = 0usize;
        let mut nuls = 0usize;
        let mut kept = Vec::with_capacity(bytes.len());
        for &b in &bytes {
            match b {
                0 => nuls += 1,
                b if b > 127 => {
                    nonascii += 1;
                    kept.push(if self.flags & EIGHTBIT != 0 {
                        b
                    } else {
                        b & 127
                    });
                }
                b => kept.push(b),
            }
        }
        if kept.len() > self.room() {
            return Err(Fail::TooBig);
        }
        let text = String::from_utf8_lossy(&kept);
        let mut parts: Vec<&str> = text.split('\n').collect();
        let complete = parts.last().is_some_and(|p| p.is_empty());
        if complete {
            parts.pop();
        } else {
            self.out.push_str("[Incomplete last line]\n");
        }
        let count = parts.len();
        let mut at = after.min(self.last());
        self.lines.splice(
            at..at,
            parts.into_iter().map(|t| Line {
                text: t.to_string(),
                global: false,
            }),
        );
        at += count;
        self.cur = at;
        if verbose {
            self.out
                .push_str(&format!("{count} lines {} bytes", kept.len()));
            if nonascii > 0 {
                self.out.push_str(&format!(" [{nonascii} non-ascii]"));
            }
            if nuls > 0 {
                self.out.push_str(&format!(" [{nuls} nul]"));
            }
            self.out.push('\n');
        }
        Ok(())
    }

    /// Writes lines `from..=to` to a checked file, asking the host first.
    fn write_lines(
        &mut self,
        from: usize,
        to: usize,
        path: &str,
        append: bool,
        host: &mut dyn EdHost,
    ) -> Result<(), Fail> {
        self.flush(host);
        if !host.before_write(path)? {
            return Err(Fail::Failed);
        }
        if !self.restricted {
            self.out.push_str(&format!("\"{path}\" "));
        }
        let mut data = Vec::new();
        let to = to.min(self.last());
        let mut count = 0;
        for n in from.max(1)..=to {
            data.extend_from_slice(self.text(n).as_bytes());
            data.push(b'\n');
            count += 1;
        }
        self.flush(host);
        if !host.write_file(path, &data, append) {
            if self.restricted {
                self.out.push_str("Couldn't open file for writing!\n");
            } else {
                let shown = path.trim_start_matches('/');
                self.out
                    .push_str(&format!("{shown} can't be opened for writing!\n"));
            }
            return Err(Fail::Failed);
        }
        if !self.restricted {
            self.out
                .push_str(&format!("{count} lines {} bytes\n", data.len()));
        }
        self.flush(host);
        host.after_write(path)?;
        Ok(())
    }

    // ---------------------------------------------------------------
    // Help
    // ---------------------------------------------------------------

    fn help(&mut self, topic: char, next: char) {
        let screen = self.scroll_lines;
        match super::help::topic(topic, next, screen, self.restricted) {
            super::help::Help::Text(text) => self.out.push_str(&text),
            super::help::Help::None => {}
            super::help::Help::Paged(text) => {
                let per_page = screen.saturating_sub(1).max(1);
                let lines: Vec<&str> = text.split_inclusive('\n').collect();
                for chunk in lines.chunks(per_page) {
                    self.more.push_back(chunk.concat());
                }
                self.next_help_page();
            }
        }
    }

    fn next_help_page(&mut self) {
        if let Some(page) = self.more.pop_front() {
            self.out.push_str(&page);
        }
        if !self.more.is_empty() {
            self.out.push_str("--Return to continue--");
        }
    }
}

/// The width of a line's leading blanks, tabs counted to their stop.
fn leading_blanks(text: &str) -> usize {
    let mut n = 0;
    for ch in text.chars() {
        match ch {
            ' ' => n += 1,
            '\t' => n += TAB_WIDTH - n % TAB_WIDTH,
            _ => break,
        }
    }
    n
}

/// A line as `p` and `l` show it: an optional line number, tabs expanded,
/// control characters as `^X`, and in list mode a `$` at the end.
fn format_line(text: &str, number: Option<usize>, list: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    if let Some(n) = number {
        out.push_str(&format!("{n:3}  "));
    }
    let mut column = out.chars().count();
    for ch in text.chars() {
        match ch {
            '\t' => {
                out.push(' ');
                column += 1;
                while !column.is_multiple_of(TAB_WIDTH) {
                    out.push(' ');
                    column += 1;
                }
            }
            '\u{7f}' => {
                out.push_str("^?");
                column += 2;
            }
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(((c as u8) & 31) | b'@'));
                column += 2;
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    if list {
        out.push('$');
    }
    out
}

/// Compiles an ed pattern: the driver's regular expression dialect, where
/// `(` and `)` group; with `excompatible` set, `\(` and `\)` group instead
/// and bare parentheses are literal.
pub fn compile_pattern(text: &str, excompatible: bool) -> Result<Regex, String> {
    let source = if excompatible {
        let mut swapped = String::with_capacity(text.len() + 4);
        let mut chars = text.chars();
        while let Some(ch) = chars.next() {
            match ch {
                '\\' => match chars.next() {
                    Some(p @ ('(' | ')')) => swapped.push(p),
                    Some(other) => {
                        swapped.push('\\');
                        swapped.push(other);
                    }
                    None => swapped.push('\\'),
                },
                '(' | ')' => {
                    swapped.push('\\');
                    swapped.push(ch);
                }
                other => swapped.push(other),
            }
        }
        swapped
    } else {
        text.to_string()
    };
    let translated = crate::efuns::regex::translate(&source)?;
    Regex::new(&translated).map_err(|e| e.to_string())
}

/// Reads a substitution's replacement up to its closing delimiter (the
/// character under the cursor opens it) and a `g` after it. `None` when the
/// replacement is missing.
fn replacement(c: &mut Cursor) -> Option<(Vec<Piece>, bool)> {
    let delim = c.bump();
    if delim == '\n' || c.at_end() {
        return None;
    }
    let mut pieces = Vec::new();
    let mut text = String::new();
    let flush = |text: &mut String, pieces: &mut Vec<Piece>| {
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(text)));
        }
    };
    while c.peek() != delim && !c.at_end() {
        let ch = c.bump();
        if ch == '&' {
            flush(&mut text, &mut pieces);
            pieces.push(Piece::Whole);
            continue;
        }
        if ch != '\\' {
            text.push(ch);
            continue;
        }
        match c.peek() {
            'r' => text.push('\r'),
            'n' => text.push('\n'),
            'b' => text.push('\u{8}'),
            't' => text.push('\t'),
            '0' => {
                c.bump();
                let mut value = 0u32;
                for _ in 0..3 {
                    match c.peek().to_digit(8) {
                        Some(d) => {
                            value = value * 8 + d;
                            c.bump();
                        }
                        None => break,
                    }
                }
                if let Some(ch) = char::from_u32(value).filter(|&ch| ch != '\0') {
                    text.push(ch);
                }
                continue;
            }
            d @ '1'..='9' => {
                flush(&mut text, &mut pieces);
                pieces.push(Piece::Group(d as usize - '0' as usize));
            }
            '\n' => {
                text.push('\\');
                continue;
            }
            other => text.push(other),
        }
        c.bump();
    }
    flush(&mut text, &mut pieces);
    c.bump();
    c.skip_blanks();
    let global = c.peek() == 'g';
    if global {
        c.bump();
    }
    Some((pieces, global))
}

/// The line with its matches replaced: the `which`th match, and with
/// `global` every later one too. `None` when nothing was replaced.
fn substitute_line(
    re: &Regex,
    text: &str,
    pieces: &[Piece],
    global: bool,
    which: usize,
) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut pos = 0;
    let mut seen = 0;
    let mut replaced = false;
    while pos <= text.len() {
        let Some(caps) = re.captures_at(text, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        seen += 1;
        out.push_str(&text[pos..whole.start()]);
        if seen == which || (global && seen > which) {
            expand(&caps, pieces, &mut out);
            replaced = true;
        } else {
            out.push_str(whole.as_str());
        }
        if whole.is_empty() {
            // An empty match steps over one character so the search moves on.
            match text[whole.end()..].chars().next() {
                Some(ch) => {
                    out.push(ch);
                    pos = whole.end() + ch.len_utf8();
                }
                None => {
                    pos = text.len() + 1;
                    break;
                }
            }
        } else {
            pos = whole.end();
        }
        if !global && seen >= which {
            break;
        }
    }
    if pos <= text.len() {
        out.push_str(&text[pos..]);
    }
    replaced.then_some(out)
}

fn expand(caps: &Captures, pieces: &[Piece], out: &mut String) {
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Whole => out.push_str(caps.get(0).map_or("", |m| m.as_str())),
            Piece::Group(n) => out.push_str(caps.get(*n).map_or("", |m| m.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Files in memory; paths under `/secret` are refused.
    #[derive(Default)]
    struct MemHost {
        files: HashMap<String, Vec<u8>>,
        out: String,
        saved_setup: Option<i64>,
    }

    impl EdHost for MemHost {
        fn output(&mut self, text: &str) {
            self.out.push_str(text);
        }
        fn make_path_absolute(&mut self, path: &str) -> Result<Option<String>, Abort> {
            Ok(Some(format!("/home/{path}")))
        }
        fn check_path(&mut self, path: &str, _write: bool) -> Result<Option<String>, Abort> {
            if path.starts_with("/secret") {
                return Ok(None);
            }
            Ok(Some(path.to_string()))
        }
        fn read_file(&mut self, path: &str) -> Option<Vec<u8>> {
            self.files.get(path).cloned()
        }
        fn write_file(&mut self, path: &str, data: &[u8], append: bool) -> bool {
            let file = self.files.entry(path.to_string()).or_default();
            if !append {
                file.clear();
            }
            file.extend_from_slice(data);
            true
        }
        fn save_setup(&mut self, setup: i64) -> Result<bool, Abort> {
            self.saved_setup = Some(setup);
            Ok(true)
        }
    }

    /// Runs `commands` on a session of `/f` holding `text`; gives the
    /// session, the host and the output of the commands alone.
    fn run(text: &str, commands: &[&str]) -> (EdSession, MemHost, String) {
        let mut host = MemHost::default();
        host.files.insert("/f".into(), text.as_bytes().to_vec());
        let mut session =
            EdSession::start(Some("/f"), &StartConfig::default(), &mut host).expect("start");
        host.out.clear();
        for c in commands {
            session.command(c, &mut host).expect("command");
        }
        let out = std::mem::take(&mut host.out);
        (session, host, out)
    }

    const ABC: &str = "alpha\nbeta\ngamma\ndelta\n";

    #[test]
    fn command_scripts() {
        // (file, commands, buffer after, output)
        let table: &[(&str, &[&str], &str, &str)] = &[
            (ABC, &["p"], ABC, "alpha\n"),
            (ABC, &["2"], ABC, "beta\n"),
            (ABC, &["", ""], ABC, "beta\ngamma\n"),
            (ABC, &["$", ""], ABC, "delta\nEnd of file.\n"),
            (ABC, &["1,3p"], ABC, "alpha\nbeta\ngamma\n"),
            (ABC, &["2,$p"], ABC, "beta\ngamma\ndelta\n"),
            (ABC, &[",p"], ABC, ABC),
            (ABC, &["3", ";p"], ABC, "gamma\ngamma\ndelta\n"),
            (ABC, &[",2p"], ABC, "alpha\nbeta\n"),
            (ABC, &["$-1p", "-p", ".+1p"], ABC, "gamma\nbeta\ngamma\n"),
            (ABC, &["=", "$=", "/del/="], ABC, "1\n4\n4\n"),
            (ABC, &["/gam/"], ABC, "gamma\n"),
            (ABC, &["3", "?alp?"], ABC, "gamma\nalpha\n"),
            (ABC, &["/zzz/"], ABC, "Search failed.\n"),
            (ABC, &["2ka", "4", "'ap"], ABC, "delta\nbeta\n"),
            (ABC, &["5p"], ABC, "delta\n"),
            (ABC, &["3,2p"], ABC, "Bad line range.\n"),
            (ABC, &["2d"], "alpha\ngamma\ndelta\n", ""),
            (ABC, &["2,3d", "p"], "alpha\ndelta\n", "delta\n"),
            (ABC, &["$d", "p"], "alpha\nbeta\ngamma\n", "gamma\n"),
            (
                ABC,
                &["1a", "one", "two", ".", "p"],
                "alpha\none\ntwo\nbeta\ngamma\ndelta\n",
                "two\n",
            ),
            (
                ABC,
                &["1i", "zero", "."],
                "zero\nalpha\nbeta\ngamma\ndelta\n",
                "",
            ),
            (
                ABC,
                &["0a", "top", "."],
                "top\nalpha\nbeta\ngamma\ndelta\n",
                "",
            ),
            (ABC, &["2,3c", "mid", "."], "alpha\nmid\ndelta\n", ""),
            (ABC, &["1,2j"], "alphabeta\ngamma\ndelta\n", ""),
            (ABC, &["3j"], ABC, ""),
            (ABC, &["3", "j"], "alpha\nbeta\ngammadelta\n", "gamma\n"),
            (ABC, &["1m$"], "beta\ngamma\ndelta\nalpha\n", ""),
            (
                ABC,
                &["3,4m0", "p"],
                "gamma\ndelta\nalpha\nbeta\n",
                "delta\n",
            ),
            (ABC, &["2m2"], ABC, "Bad line range.\n"),
            (
                ABC,
                &["1,2t$"],
                "alpha\nbeta\ngamma\ndelta\nalpha\nbeta\n",
                "",
            ),
            (ABC, &["1t0"], "alpha\nalpha\nbeta\ngamma\ndelta\n", ""),
            (ABC, &["2s/e/E/"], "alpha\nbEta\ngamma\ndelta\n", ""),
            (ABC, &["1,$s/a/A/g"], "AlphA\nbetA\ngAmmA\ndeltA\n", ""),
            (ABC, &["s/a/A/2"], "alphA\nbeta\ngamma\ndelta\n", ""),
            (
                ABC,
                &["s/(al)(ph)/\\2\\1/p"],
                "phala\nbeta\ngamma\ndelta\n",
                "phala\n",
            ),
            (ABC, &["s/alpha/[&]/"], "[alpha]\nbeta\ngamma\ndelta\n", ""),
            (ABC, &["s/alpha/\\&/"], "&\nbeta\ngamma\ndelta\n", ""),
            (ABC, &["s/ph/\\n/"], "al\na\nbeta\ngamma\ndelta\n", ""),
            (ABC, &["s/zz/y/"], ABC, "string substitution failed.\n"),
            (ABC, &["s/zz/y/g"], ABC, ""),
            (
                ABC,
                &["s/zz/"],
                ABC,
                "Bad replacement in search and replace.\n",
            ),
            (ABC, &["s/x*/-/g"], "-a-l-p-h-a-\nbeta\ngamma\ndelta\n", ""),
            (
                ABC,
                &["/beta/", "s//B/"],
                "alpha\nB\ngamma\ndelta\n",
                "beta\n",
            ),
            (ABC, &["g/a$/d"], "", ""),
            (ABC, &["g/e/s/$/!/"], "alpha\nbeta!\ngamma\ndelta!\n", ""),
            (ABC, &["v/e/d"], "beta\ndelta\n", ""),
            (ABC, &["g/mm/p"], ABC, "gamma\n"),
            (
                ABC,
                &["2,3g/a/s/a/o/"],
                "alpha\nbeta\ngomma\ndelta\n".replace("beta", "beto").leak(),
                "",
            ),
            (ABC, &["g/a/a"], ABC, "Bad command syntax.\n"),
            (ABC, &["n", "2p"], ABC, "number on, list off\n  2  beta\n"),
            (ABC, &["y"], ABC, "Unrecognized command.\n"),
            (ABC, &["2d", "u"], ABC, ""),
            (ABC, &["2d", "u", "u"], "alpha\ngamma\ndelta\n", ""),
            (ABC, &["p", "u"], ABC, "alpha\nFailed command.\n"),
            (
                ABC,
                &["1a", "x", "y", ".", "1d", "u", "u", "u"],
                "alpha\nx\ny\nbeta\ngamma\ndelta\n",
                "",
            ),
            (ABC, &["$a", "x", ".", "u"], ABC, ""),
            (
                ABC,
                &["'Ap"],
                ABC,
                "A mark must be in the range 'a to 'z.\n",
            ),
            (
                ABC,
                &["2,3a"],
                ABC,
                "Cannot use ranges with that command.\n",
            ),
            (
                ABC,
                &["1Q"],
                ABC,
                "Cannot use lines or ranges with that command.\n",
            ),
            (
                ABC,
                &["2d", "q"],
                "alpha\ngamma\ndelta\n",
                "To quit without saving: Q\nSave and quit: x\n",
            ),
            ("a\tb\u{1}\n", &["l"], "a\tb\u{1}\n", "a       b^A$\n"),
            ("a\tb\n", &["p"], "a\tb\n", "a       b\n"),
            ("", &["p"], "", "Bad line range.\n"),
            ("", &["a", "x", "y", ".", "1,2p"], "x\ny\n", "x\ny\n"),
        ];
        for (i, (text, commands, buffer, output)) in table.iter().enumerate() {
            let (session, _, out) = run(text, commands);
            let mut got = session.lines().join("\n");
            if !got.is_empty() {
                got.push('\n');
            }
            assert_eq!(&got, buffer, "buffer of case {i}: {commands:?}");
            assert_eq!(&out, output, "output of case {i}: {commands:?}");
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let commands = [
            "",
            ",",
            ";",
            ",,",
            ";;",
            "0",
            "0p",
            "0d",
            "0=",
            "$+5p",
            "-5p",
            "--p",
            "+++p",
            "'",
            "'a",
            "'ap",
            "k",
            "kz",
            "k1",
            "m",
            "m0",
            "0m0",
            "1,$m1",
            "1,$m0",
            "t",
            "t0",
            "0t0",
            "1,$t$",
            "s",
            "s/",
            "s//",
            "s/a",
            "s/a/",
            "s/(/x/",
            "s/a/\\0/",
            "s/a/\\",
            "s/$/x/g",
            "s/^/x/g",
            "g",
            "g/",
            "g//",
            "g/x",
            "g/a/",
            "v/a/",
            "g/a/g/b/p",
            "g/./t0",
            "z",
            "z-",
            "z--",
            "z.",
            "z++",
            "Z",
            "Z-",
            "Z.",
            "zq",
            "j",
            "0j",
            "1,0j",
            "1,$j",
            "h",
            "hx",
            "hset",
            "set",
            "se",
            "sex",
            "set shiftwidth",
            "set shiftwidth 9",
            "set averyveryverylongword",
            "set noautoindent",
            "e",
            "E",
            "f",
            "f x",
            "r",
            "w",
            "W",
            "x",
            "q",
            "u",
            "u",
            "I",
            "=",
            "?",
            "/",
            "//",
            "??",
            "/(/",
            "/[/",
            "?\\",
            "a",
            "i",
            "c",
            "0i",
            "0a",
            "0c",
            "$c",
            "1,$c",
            "2,1d",
            "\u{4}",
            "\u{7f}",
            "é",
            "1,$s/./é/g",
            "1,$l",
            "n",
        ];
        for text in ["", ABC, "\tx\u{1}\n\n"] {
            for c in commands {
                let (mut s, mut host, _) = run(text, &[c]);
                for follow in ["x", ".", "1,$p", "u", "Q"] {
                    let _ = s.command(follow, &mut host);
                }
            }
            let (mut s, mut host, _) = run(text, &[]);
            for c in commands.iter().chain(commands.iter().rev()) {
                let _ = s.command(c, &mut host);
                if s.appending() {
                    let _ = s.command(".", &mut host);
                }
                while s.mode() == -2 {
                    let _ = s.command("", &mut host);
                }
            }
        }
    }

    #[test]
    fn buffers_stop_growing_at_the_limit() {
        let line = "x".repeat(1 << 10);
        let (mut s, mut host, _) = run(&format!("{line}\n"), &[]);
        s.limit = 32 << 10;
        for _ in 0..6 {
            s.command("1,$t$", &mut host).unwrap();
        }
        assert!(
            host.out
                .ends_with("Out of memory: text may have been lost.\n")
        );
        assert_eq!(s.lines().len(), 16);
        host.out.clear();
        s.command("1,$s/x/xx/g", &mut host).unwrap();
        assert_eq!(host.out, "Out of memory: text may have been lost.\n");
    }

    #[test]
    fn starting_reports_what_it_read() {
        let mut host = MemHost::default();
        host.files.insert("/f".into(), b"one\ntwo".to_vec());
        let session = EdSession::start(Some("/f"), &StartConfig::default(), &mut host).unwrap();
        assert_eq!(host.out, "[Incomplete last line]\n");
        assert_eq!(session.lines(), vec!["one", "two"]);
        assert_eq!(session.mode(), 0);
        let mut host = MemHost::default();
        let session = EdSession::start(Some("/new"), &StartConfig::default(), &mut host).unwrap();
        assert_eq!(host.out, "new isn't readable.\n");
        assert_eq!(session.file_name(), "/new");
        let mut host = MemHost::default();
        let session =
            EdSession::start(Some("/secret/x"), &StartConfig::default(), &mut host).unwrap();
        assert_eq!(host.out, "No file.\n");
        assert_eq!(session.file_name(), "/");
        let mut host = MemHost::default();
        host.files.insert("/f".into(), b"one\n".to_vec());
        let config = StartConfig {
            setup: VERBOSE | 3,
            ..StartConfig::default()
        };
        EdSession::start(Some("/f"), &config, &mut host).unwrap();
        assert_eq!(host.out, "\"f\" 1 lines 4 bytes\n");
    }

    #[test]
    fn writing_and_quitting() {
        let (mut s, mut host, out) = run(ABC, &["2d", "w"]);
        assert_eq!(out, "\"/f\" 3 lines 18 bytes\n");
        assert_eq!(host.files["/f"], b"alpha\ngamma\ndelta\n");
        assert_eq!(s.command("q", &mut host).unwrap(), EdOutcome::Exit);
        assert_eq!(host.out, "Exit from ed.\n");

        let (mut s, mut host, _) = run(ABC, &["1,2w /g", "$W /g", "1d"]);
        assert_eq!(host.files["/g"], b"alpha\nbeta\ndelta\n");
        assert_eq!(s.command("x", &mut host).unwrap(), EdOutcome::Exit);
        assert_eq!(host.files["/f"], b"beta\ngamma\ndelta\n");

        let (_, host, out) = run(ABC, &["1d", "Q"]);
        assert_eq!(out, "Exit from ed.\n");
        assert_eq!(host.files["/f"], ABC.as_bytes());
        let (mut s, mut host, _) = run(ABC, &[]);
        // A relative name goes through make_path_absolute.
        s.command("w rel", &mut host).unwrap();
        assert!(host.files.contains_key("/home/rel"));
        // A refused path fails the command.
        host.out.clear();
        s.command("w /secret/x", &mut host).unwrap();
        assert_eq!(host.out, "File command failed.\n");
    }

    #[test]
    fn files_and_restriction() {
        let (mut s, mut host, _) = run(ABC, &["f"]);
        host.files.insert("/other".into(), b"x\ny\n".to_vec());
        s.command("f", &mut host).unwrap();
        assert_eq!(host.out, "/f\n");
        s.command("$r /other", &mut host).unwrap();
        assert_eq!(s.lines().len(), 6);
        host.out.clear();
        s.command("e /other", &mut host).unwrap();
        assert_eq!(host.out, "To quit without saving: Q\nSave and quit: x\n");
        s.command("E /other", &mut host).unwrap();
        assert_eq!(s.lines(), vec!["x", "y"]);
        assert_eq!(s.file_name(), "/other");

        let mut host = MemHost::default();
        host.files.insert("/f".into(), ABC.as_bytes().to_vec());
        let config = StartConfig {
            restricted: true,
            ..StartConfig::default()
        };
        let mut s = EdSession::start(Some("/f"), &config, &mut host).unwrap();
        host.out.clear();
        for c in ["e /g", "r /g", "f /g", "w /g"] {
            s.command(c, &mut host).unwrap();
        }
        assert_eq!(host.out, "That command is restricted.\n".repeat(4));
        host.out.clear();
        s.command("set save", &mut host).unwrap();
        assert_eq!(host.out, "`set' command failed.\n");
        host.out.clear();
        s.command("w", &mut host).unwrap();
        assert_eq!(host.out, "");
        assert!(host.files.contains_key("/f"));
    }

    #[test]
    fn settings_and_modes() {
        let (mut s, mut host, out) = run(ABC, &["set"]);
        assert_eq!(
            out,
            "ed version 6.1\nnumber:off list:off print:off eightbit:on autoindent:off \
             excompatible:off dprint:off verbose:off \nshiftwidth:4\n"
        );
        for c in ["set dprint", "set shiftwidth 2", "set save", "1d"] {
            s.command(c, &mut host).unwrap();
        }
        assert_eq!(host.saved_setup, Some(DPRINT | EIGHTBIT | 2));
        assert_eq!(host.out, "beta\n");
        host.out.clear();
        s.command("set bogus", &mut host).unwrap();
        assert_eq!(host.out, "`set' command failed.\n");
        // Text entry reports the number the next line gets.
        s.command("2c", &mut host).unwrap();
        assert_eq!(s.mode(), 2);
        s.command("new", &mut host).unwrap();
        assert_eq!(s.mode(), 3);
        s.command(".", &mut host).unwrap();
        assert_eq!(s.mode(), 0);
        // Help pages wait for a key.
        host.out.clear();
        s.command("h", &mut host).unwrap();
        assert_eq!(s.mode(), -2);
        assert!(host.out.ends_with("--Return to continue--"), "{}", host.out);
        s.command("", &mut host).unwrap();
        assert_eq!(s.mode(), 0);
        host.out.clear();
        s.command("hd", &mut host).unwrap();
        assert!(host.out.starts_with("d:"), "{}", host.out);
    }

    #[test]
    fn autoindent_keeps_the_indent() {
        let (s, _, out) = run(
            "  start\n",
            &[
                "set autoindent",
                "set shiftwidth 2",
                "a",
                "one",
                "  two",
                "\u{4}three",
                ".",
            ],
        );
        assert_eq!(s.lines(), vec!["  start", "  one", "    two", "  three"]);
        assert_eq!(out, "  ".to_string() + "  " + "    " + "  ");
    }

    #[test]
    fn excompatible_swaps_grouping() {
        let (s, _, _) = run("f(x)\n", &["set excompatible", "s/\\(f\\)(/\\1[/"]);
        assert_eq!(s.lines(), vec!["f[x)"]);
    }

    #[test]
    fn scrolling() {
        let text: String = (1..=50).map(|n| format!("{n}\n")).collect();
        let mut host = MemHost::default();
        host.files.insert("/f".into(), text.into_bytes());
        let config = StartConfig {
            scroll_lines: 10,
            ..StartConfig::default()
        };
        let mut s = EdSession::start(Some("/f"), &config, &mut host).unwrap();
        host.out.clear();
        s.command("z", &mut host).unwrap();
        assert_eq!(host.out, "1\n2\n3\n4\n5\n6\n7\n8\n9\n");
        host.out.clear();
        s.command("20z.", &mut host).unwrap();
        assert_eq!(host.out, "15\n16\n17\n18\n19\n20\n21\n22\n23\n24\n");
        host.out.clear();
        s.command("20z-", &mut host).unwrap();
        assert_eq!(host.out, "12\n13\n14\n15\n16\n17\n18\n19\n20\n");
        host.out.clear();
        s.command("1z++", &mut host).unwrap();
        assert_eq!(host.out, "9\n10\n11\n12\n13\n14\n15\n16\n17\n");
        host.out.clear();
        s.command("1Z", &mut host).unwrap();
        assert_eq!(host.out.lines().count(), 14);
    }

    #[test]
    fn indenting_lpc() {
        let code = "void f(int x) {\nif (x)\nreturn;\nswitch (x) {\ncase 1:\nx++;\nbreak;\n}\n\
                    while (x) {\nx--;\n}\nint *a = ({\n1,\n});\n}\n";
        let (s, _, out) = run(code, &["I"]);
        assert_eq!(out, "Indenting entire code...\nIndentation complete.\n");
        assert_eq!(
            s.lines(),
            vec![
                "void f(int x) {",
                "    if (x)",
                "        return;",
                "    switch (x) {",
                "    case 1:",
                "        x++;",
                "        break;",
                "    }",
                "    while (x) {",
                "        x--;",
                "    }",
                "    int *a = ({",
                "      1,",
                "    });",
                "}",
            ]
        );
        let (_, _, out) = run("string s = \"abc;\n", &["I"]);
        assert_eq!(
            out,
            "Indenting entire code...\nUnterminated string in line 1\nIndentation halted.\n"
        );
    }
}
