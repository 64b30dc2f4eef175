//! `sprintf` and `printf`: the LPC format language with field widths,
//! precision, justification, pad strings, `*` arguments, `@` array
//! iteration, `=` column mode, `#` table mode and `%O` value dumps.
//!
//! Widths are measured in terminal cells (wide characters count two and
//! ANSI colour codes count nothing); lengths are cut at grapheme clusters.

use rustc_hash::FxHashMap;
use unicode_segmentation::UnicodeSegmentation;

use super::{arg, str_arg};
use crate::vm::value::Value;
use crate::vm::{Efun, Unwind, Vm, error};

pub fn register(m: &mut FxHashMap<&'static str, Efun>) {
    m.insert("sprintf", sprintf_efun);
    m.insert("printf", printf_efun);
}

fn sprintf_efun(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let format = str_arg(vm, base, argc, 0, "sprintf")?;
    let args: Vec<Value> = (1..argc).map(|i| arg(vm, base, argc, i)).collect();
    sprintf(vm, &format.text, &args).map(Value::str)
}

/// Formats like `sprintf` and sends the text where `write` sends it.
fn printf_efun(vm: &mut Vm, base: usize, argc: usize) -> Result<Value, Unwind> {
    let format = str_arg(vm, base, argc, 0, "printf")?;
    let args: Vec<Value> = (1..argc).map(|i| arg(vm, base, argc, i)).collect();
    let text = sprintf(vm, &format.text, &args)?;
    let Some(write) = vm.efuns.get("write").copied() else {
        return Err(error("printf(): the write efun is missing"));
    };
    let at = vm.stack.len();
    vm.stack.push(Value::str(text));
    let result = write(vm, at, 1);
    vm.stack.truncate(at);
    result.map(|_| Value::Int(0))
}

/// Where a field's text sits when it is narrower than the field.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Justify {
    Right,
    Left,
    /// Extra odd cell on the left.
    Centre,
    /// `-|`: extra odd cell on the right.
    CentreLeft,
}

/// The conversion character of one directive.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Conv {
    Lpc,
    Str,
    Char,
    Int,
    Oct,
    Hex,
    UpperHex,
    Float,
    GFloat,
    EFloat,
    Bin,
}

/// The text a field is padded with, and its width in cells.
#[derive(Clone, Debug)]
struct Pad {
    text: String,
    width: usize,
}

/// One `%...` directive, parsed.
#[derive(Clone, Debug)]
struct Directive {
    conv: Conv,
    justify: Justify,
    /// `+` or ` ` before positive numbers.
    sign: Option<char>,
    array: bool,
    columns: bool,
    table: bool,
    width: usize,
    precision: usize,
    pad: Option<Pad>,
}

/// A column (`=`) or table (`#`) whose later lines go out at each newline
/// of the format.
enum Pending {
    Column(Column),
    Table(Table),
}

struct Column {
    text: String,
    /// Byte position of what is left to print.
    at: usize,
    pad: Option<Pad>,
    size: usize,
    precision: usize,
    justify: Justify,
    /// The output column it started at.
    start: usize,
}

struct Table {
    text: String,
    /// Byte start of each column's items; one more entry marks the end.
    starts: Vec<usize>,
    /// Where each column's next item starts; `None` when it is used up.
    cursors: Vec<Option<usize>>,
    pad: Option<Pad>,
    size: usize,
    remainder: usize,
    justify: Justify,
    start: usize,
}

impl Pending {
    fn start(&self) -> usize {
        match self {
            Pending::Column(c) => c.start,
            Pending::Table(t) => t.start,
        }
    }
}

struct Printer {
    out: String,
    pending: Vec<Pending>,
    /// Index of the argument read last.
    cur_arg: usize,
    limit: usize,
}

impl Printer {
    fn fail(&self, what: &str) -> Unwind {
        error(format!("(s)printf(): {what} (arg: {})", self.cur_arg))
    }

    fn grow(&self, more: usize) -> Result<(), Unwind> {
        if self.out.len().saturating_add(more) > self.limit {
            return Err(self.fail("BUFF_SIZE overflowed..."));
        }
        Ok(())
    }

    fn push_str(&mut self, s: &str) -> Result<(), Unwind> {
        self.grow(s.len())?;
        self.out.push_str(s);
        Ok(())
    }

    /// Cells written since the last newline of the output.
    fn column(&self) -> usize {
        let line = self.out.rsplit('\n').next().unwrap_or("");
        text_width(line)
    }

    /// `width` cells of padding; spaces fill a part the pad cannot, on the
    /// left when `from_right`.
    fn add_pad(&mut self, pad: Option<&Pad>, width: usize, from_right: bool) -> Result<(), Unwind> {
        if width == 0 {
            return Ok(());
        }
        self.grow(width)?;
        let Some(pad) = pad else {
            self.out.extend(std::iter::repeat_n(' ', width));
            return Ok(());
        };
        let mut text = String::new();
        let mut done = 0;
        while done + pad.width <= width {
            text.push_str(&pad.text);
            done += pad.width;
        }
        if done < width {
            let (len, w) = fit_width(&pad.text, width - done);
            text.push_str(&pad.text[..len]);
            done += w;
        }
        if done < width {
            let spaces = " ".repeat(width - done);
            if from_right {
                text.insert_str(0, &spaces);
            } else {
                text.push_str(&spaces);
            }
        }
        self.push_str(&text)
    }

    /// Writes `text` (`width` cells) in a field of `size` cells; the pad
    /// after it is written only when `trailing`.
    fn justified(
        &mut self,
        text: &str,
        width: usize,
        pad: Option<&Pad>,
        size: usize,
        justify: Justify,
        trailing: bool,
    ) -> Result<(), Unwind> {
        let Some(extra) = size.checked_sub(width).filter(|&e| e > 0) else {
            return self.push_str(text);
        };
        match justify {
            Justify::Left => {
                self.push_str(text)?;
                if trailing {
                    self.add_pad(pad, extra, false)?;
                }
            }
            Justify::Centre | Justify::CentreLeft => {
                let left = if justify == Justify::Centre {
                    extra / 2 + extra % 2
                } else {
                    extra / 2
                };
                self.add_pad(pad, left, true)?;
                self.push_str(text)?;
                if trailing {
                    self.add_pad(pad, extra - left, false)?;
                }
            }
            Justify::Right => {
                self.add_pad(pad, extra, true)?;
                self.push_str(text)?;
            }
        }
        Ok(())
    }

    /// Writes the next line of a column; 0 while lines are left, 1 when it
    /// ended, 2 when it ended on a newline.
    fn column_line(&mut self, col: &mut Column, trailing: bool) -> Result<u8, Unwind> {
        let rest = &col.text[col.at..];
        let (len, width) = cut_line(rest, col.precision);
        let line = rest[..len].to_string();
        self.justified(
            &line,
            width,
            col.pad.as_ref(),
            col.size,
            col.justify,
            trailing,
        )?;
        col.at += len;
        let bytes = col.text.as_bytes();
        let mut status = 1;
        if bytes.get(col.at) == Some(&b' ') {
            col.at += 1;
        }
        if bytes.get(col.at) == Some(&b'\n') {
            col.at += 1;
            status = 2;
        }
        Ok(if col.at >= col.text.len() { status } else { 0 })
    }

    /// Writes the next row of a table; true when the table is done.
    fn table_row(&mut self, table: &mut Table, more_after: bool) -> Result<bool, Unwind> {
        let columns = table.cursors.len();
        let mut i = 0;
        while i < columns {
            let Some(cur) = table.cursors[i] else { break };
            let end = table.starts[i + 1] as i64 - cur as i64 - 1;
            let area = table.text.get(cur..).unwrap_or("");
            let mut done: i64 = 0;
            let bytes = area.as_bytes();
            while done != end && bytes.get(done as usize).is_some_and(|&b| b != b'\n') {
                done += 1;
            }
            let item = area.get(..done.max(0) as usize).unwrap_or("");
            let mut width = text_width(item);
            let mut len = item.len();
            if width > table.size {
                (len, width) = fit_width(item, table.size);
                // A column narrower than the item's first character still
                // shows that character whole rather than nothing.
                if len == 0
                    && let Some(first) = item.graphemes(true).next()
                {
                    (len, width) = (first.len(), text_width(first));
                }
            }
            let trailing = table.pad.is_some() || i + 1 < columns || more_after;
            let pad = table.pad.clone();
            self.justified(
                &item[..len],
                width,
                pad.as_ref(),
                table.size,
                table.justify,
                trailing,
            )?;
            table.cursors[i] = if done >= end - 1 {
                None
            } else {
                Some(cur + done as usize + 1)
            };
            i += 1;
        }
        if table.pad.is_some() {
            let pad = table.pad.clone();
            while i < columns {
                self.add_pad(pad.as_ref(), table.size, true)?;
                i += 1;
            }
            self.add_pad(pad.as_ref(), table.remainder, false)?;
        }
        Ok(table.cursors.first().is_none_or(Option::is_none))
    }

    /// At a newline of the format (or its end): the next lines of every
    /// pending column and table, until all are done.
    fn flush(&mut self, newline: bool) -> Result<(), Unwind> {
        let mut status = 0;
        while !self.pending.is_empty() {
            let mut i = 0;
            while i < self.pending.len() {
                let more_after = i + 1 < self.pending.len();
                let target = self.pending[i].start();
                let here = self.column();
                self.add_pad(None, target.saturating_sub(here), true)?;
                let mut item = std::mem::replace(
                    &mut self.pending[i],
                    Pending::Column(Column {
                        text: String::new(),
                        at: 0,
                        pad: None,
                        size: 0,
                        precision: 0,
                        justify: Justify::Left,
                        start: 0,
                    }),
                );
                let finished = match &mut item {
                    Pending::Column(col) => {
                        // A wrapped line drops the spaces it would start with.
                        if col.at > 0 && col.text.as_bytes().get(col.at - 1) != Some(&b'\n') {
                            while col.text.as_bytes().get(col.at) == Some(&b' ') {
                                col.at += 1;
                            }
                        }
                        status = self.column_line(col, more_after)?;
                        status != 0
                    }
                    Pending::Table(table) => self.table_row(table, more_after)?,
                };
                if finished {
                    self.pending.remove(i);
                } else {
                    self.pending[i] = item;
                    i += 1;
                }
            }
            if !self.pending.is_empty() || newline {
                self.push_str("\n")?;
            }
        }
        if status == 2 {
            self.push_str("\n")?;
        }
        Ok(())
    }
}

/// Formats `args` by `format` as LPC `sprintf` does.
pub fn sprintf(vm: &mut Vm, format: &str, args: &[Value]) -> Result<String, Unwind> {
    let mut p = Printer {
        out: String::with_capacity(format.len() + 16),
        pending: Vec::new(),
        cur_arg: 0,
        limit: vm.limits.string_length,
    };
    let bytes = format.as_bytes();
    let mut next_arg = 0usize;
    let mut last = 0;
    let mut pos = 0;
    loop {
        let c = bytes.get(pos).copied();
        match c {
            None | Some(b'\n') => {
                p.push_str(&format[last..pos])?;
                last = pos + 1;
                if p.pending.is_empty() {
                    if c.is_none() {
                        break;
                    }
                    p.push_str("\n")?;
                    pos += 1;
                    continue;
                }
                p.push_str("\n")?;
                p.flush(c.is_some())?;
                if c.is_none() {
                    break;
                }
                pos += 1;
            }
            Some(b'%') => {
                p.push_str(&format[last..pos])?;
                if bytes.get(pos + 1) == Some(&b'%') {
                    p.push_str("%")?;
                    pos += 2;
                    last = pos;
                    continue;
                }
                let mut take = |p: &mut Printer| -> Result<Value, Unwind> {
                    p.cur_arg = next_arg;
                    let v = args.get(next_arg).cloned();
                    next_arg += 1;
                    v.ok_or_else(|| p.fail("More arguments specified than passed."))
                };
                let mut carg = take(&mut p)?;
                let (d, end) = parse_directive(&mut p, bytes, pos + 1, &mut carg, &mut take)?;
                pos = end;
                last = end;
                let at_line_end = matches!(bytes.get(end), None | Some(b'\n'));
                if d.array {
                    let Value::Array(items) = &carg else {
                        return Err(p.fail("Array expected."));
                    };
                    let items = items.borrow().clone();
                    let count = items.len();
                    for (n, item) in items.iter().enumerate() {
                        let more = n + 1 < count;
                        emit(vm, &mut p, &d, item, !at_line_end || more)?;
                    }
                } else {
                    emit(vm, &mut p, &d, &carg, !at_line_end)?;
                }
            }
            Some(_) => pos += 1,
        }
    }
    Ok(p.out)
}

/// Reads the flags, sizes and conversion of a directive starting at
/// `pos`; `*` takes arguments through `take`. Returns the directive and
/// the position after it.
fn parse_directive(
    p: &mut Printer,
    bytes: &[u8],
    mut pos: usize,
    carg: &mut Value,
    take: &mut dyn FnMut(&mut Printer) -> Result<Value, Unwind>,
) -> Result<(Directive, usize), Unwind> {
    let mut d = Directive {
        conv: Conv::Str,
        justify: Justify::Right,
        sign: None,
        array: false,
        columns: false,
        table: false,
        width: 0,
        precision: 0,
        pad: None,
    };
    let (mut left, mut centre) = (false, false);
    // -1 while a precision is expected after `.`, -2 after `:`.
    let mut precision: i64 = 0;
    let star = |p: &Printer, v: &Value| -> Result<i64, Unwind> {
        match v {
            Value::Int(n) => Ok(*n),
            Value::Undefined => Ok(0),
            _ => Err(p.fail("Incorrect argument type to *.")),
        }
    };
    let digits = |pos: &mut usize, mut n: i64| {
        while let Some(&b) = bytes.get(*pos).filter(|b| b.is_ascii_digit()) {
            n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
            *pos += 1;
        }
        n
    };
    let conv = loop {
        let Some(&c) = bytes.get(pos) else {
            return Err(p.fail("Error in format string."));
        };
        if c.is_ascii_digit() || c == b'*' {
            if precision == -1 {
                if c == b'*' {
                    precision = star(p, carg)?.max(0);
                    *carg = take(p)?;
                    pos += 1;
                } else {
                    precision = digits(&mut pos, 0);
                }
                continue;
            }
            if c == b'0'
                && bytes
                    .get(pos + 1)
                    .is_some_and(|&n| n == b'*' || (b'1'..=b'9').contains(&n))
            {
                d.pad = Some(Pad {
                    text: "0".into(),
                    width: 1,
                });
                pos += 1;
                continue;
            }
            if c == b'*' {
                d.width = usize::try_from(star(p, carg)?).unwrap_or(0);
                if precision == -2 {
                    precision = d.width as i64;
                }
                *carg = take(p)?;
                pos += 1;
                continue;
            }
            let n = digits(&mut pos, 0);
            d.width = usize::try_from(n).unwrap_or(0);
            if precision == -2 {
                precision = n;
            }
            continue;
        }
        pos += 1;
        match c {
            b' ' => d.sign = Some(' '),
            b'+' => d.sign = Some('+'),
            b'-' => left = true,
            b'|' => centre = true,
            b'@' => d.array = true,
            b'=' => d.columns = true,
            b'#' => d.table = true,
            b'.' => precision = -1,
            b':' => precision = -2,
            b'O' => break Conv::Lpc,
            b's' => break Conv::Str,
            b'd' | b'i' => break Conv::Int,
            b'f' => break Conv::Float,
            b'g' => break Conv::GFloat,
            b'e' => break Conv::EFloat,
            b'b' => break Conv::Bin,
            b'c' => break Conv::Char,
            b'o' => break Conv::Oct,
            b'x' => break Conv::Hex,
            b'X' => break Conv::UpperHex,
            b'\'' => {
                pos = parse_pad(p, bytes, pos, &mut d)?;
            }
            _ => return Err(p.fail("Error in format string.")),
        }
    };
    if precision < 0 {
        return Err(p.fail("Expected precision not found."));
    }
    d.conv = conv;
    d.precision = usize::try_from(precision).unwrap_or(0);
    d.justify = match (left, centre) {
        (true, true) => Justify::CentreLeft,
        (false, true) => Justify::Centre,
        (true, false) => Justify::Left,
        (false, false) => Justify::Right,
    };
    Ok((d, pos))
}

/// Reads a `'pad'` string whose text starts at `pos`; `\'` and `\\` escape.
fn parse_pad(
    p: &Printer,
    bytes: &[u8],
    mut pos: usize,
    d: &mut Directive,
) -> Result<usize, Unwind> {
    let start = pos;
    let mut escapes = 0;
    let mut text = Vec::new();
    loop {
        match bytes.get(pos) {
            None => return Err(p.fail("Unexpected end of format string.")),
            Some(b'\\') => match bytes.get(pos + 1) {
                None => return Err(p.fail("Unexpected end of format string.")),
                Some(&n @ (b'\'' | b'\\')) => {
                    text.push(n);
                    escapes += 1;
                    pos += 2;
                }
                Some(_) => {
                    return Err(p.fail(
                        "padding string '\\' must be followed by another '\\' or single quote",
                    ));
                }
            },
            Some(b'\'') => break,
            Some(&b) => {
                text.push(b);
                pos += 1;
            }
        }
    }
    let text = String::from_utf8_lossy(&text).into_owned();
    if text_width(&text) == 0 {
        return Err(p.fail("Null pad string specified."));
    }
    // FluffOS measures a pad holding escapes oddly: the width of as many
    // bytes of the written form as the pad has, less one per escape. Mudlib
    // layouts depend on it, so a whole pad counts that many cells here too
    // (at least one); a cut pad is measured by what it shows.
    let raw = bytes.get(start..pos).unwrap_or_default();
    let counted = raw.get(..raw.len() - escapes).unwrap_or_default();
    let counted = match std::str::from_utf8(counted) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&counted[..e.valid_up_to()]).unwrap_or_default(),
    };
    let width = text_width(counted).saturating_sub(escapes).max(1);
    d.pad = Some(Pad { text, width });
    Ok(pos + 1)
}

/// Formats one value by a directive; `trailing` when more of the line
/// follows, so a left-justified field still gets its padding.
fn emit(
    vm: &mut Vm,
    p: &mut Printer,
    d: &Directive,
    v: &Value,
    trailing: bool,
) -> Result<(), Unwind> {
    let v = match v {
        Value::Ref(cell) => cell.borrow().clone(),
        other => other.clone(),
    };
    match d.conv {
        Conv::Lpc => {
            let text = super::strings::describe(vm, &v);
            emit_string(p, d, text, trailing)
        }
        Conv::Str => {
            let text = match &v {
                Value::Str(s) => s.text.to_string(),
                Value::Int(0) | Value::Undefined => "0".to_string(),
                _ => return Err(p.fail("Incorrect argument to type %s.")),
            };
            emit_string(p, d, text, trailing)
        }
        Conv::Char => {
            let c = match v {
                Value::Int(n) if n != 0 => u32::try_from(n).ok().and_then(char::from_u32),
                _ => None,
            };
            let Some(c) = c else {
                return Err(p.fail("Incorrect argument to type %c, must be valid UTF8 char."));
            };
            let text = c.to_string();
            let width = text_width(&text);
            p.justified(&text, width, d.pad.as_ref(), d.width, d.justify, true)
        }
        _ => {
            let text = number_text(p, d, &v)?;
            let width = text.len();
            p.justified(&text, width, d.pad.as_ref(), d.width, d.justify, true)
        }
    }
}

fn emit_string(p: &mut Printer, d: &Directive, text: String, trailing: bool) -> Result<(), Unwind> {
    if !(d.columns || d.table) {
        let (len, width) = if d.precision > 0 {
            fit_width(&text, d.precision)
        } else {
            (text.len(), text_width(&text))
        };
        return p.justified(
            &text[..len],
            width,
            d.pad.as_ref(),
            d.width,
            d.justify,
            true,
        );
    }
    if d.width == 0 {
        return Err(p.fail("Column/table mode requires a field size."));
    }
    let start = p.column();
    if d.columns {
        let size = d.width.max(d.precision);
        let mut col = Column {
            text,
            at: 0,
            pad: d.pad.clone(),
            size,
            precision: if d.precision > 0 { d.precision } else { size },
            justify: d.justify,
            start,
        };
        let status = p.column_line(&mut col, trailing)?;
        if status == 0 {
            p.pending.push(Pending::Column(col));
        } else if status == 2 && !trailing {
            p.push_str("\n")?;
        }
        return Ok(());
    }
    let mut table = make_table(text, d, start);
    if !p.table_row(&mut table, false)? {
        p.pending.push(Pending::Table(table));
    }
    Ok(())
}

/// Lays out newline-separated items in columns, filled top to bottom.
fn make_table(text: String, d: &Directive, start: usize) -> Table {
    let items: Vec<&str> = text.split('\n').collect();
    // An item count as the layout sees it: a final newline ends the last
    // item rather than starting an empty one.
    let count = if text.ends_with('\n') && items.len() > 1 {
        items.len() - 1
    } else {
        items.len()
    };
    let fit = d.precision == 0;
    let mut columns = if fit {
        let widest = items.iter().map(|s| text_width(s)).max().unwrap_or(0);
        (d.width / (widest + 2)).max(1)
    } else {
        d.precision
    };
    let items_per_column = (count.max(1) - 1) / columns + 1;
    // Moving items from the last columns evens out the last row.
    if fit && count > columns && count % columns != 0 {
        columns -= (columns - count % columns) / items_per_column;
    }
    let size = d.width / columns;
    let mut remainder = d.width % columns;
    if count < columns {
        remainder += (columns - count) * size;
        columns = count;
    }
    let mut starts = vec![0usize];
    if columns == 1 {
        starts.push(text.len() + 1);
    } else {
        let mut n = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                n += 1;
                if n >= items_per_column {
                    starts.push(i + 1);
                    n = 0;
                }
            }
        }
        let mut end = text.len();
        while starts.len() <= columns {
            end += 1;
            starts.push(end);
        }
        starts.truncate(columns + 1);
    }
    let cursors = starts[..columns].iter().map(|&s| Some(s)).collect();
    Table {
        text,
        starts,
        cursors,
        pad: d.pad.clone(),
        size,
        remainder,
        justify: d.justify,
        start,
    }
}

/// The text of a numeric conversion, as C's printf writes it.
fn number_text(p: &Printer, d: &Directive, v: &Value) -> Result<String, Unwind> {
    let precision = d.precision.min(1077);
    let float_conv = matches!(d.conv, Conv::Float | Conv::GFloat | Conv::EFloat);
    let letter = match d.conv {
        Conv::Int => 'd',
        Conv::Oct => 'o',
        Conv::Hex => 'x',
        Conv::UpperHex => 'X',
        Conv::Float => 'f',
        Conv::GFloat => 'g',
        Conv::EFloat => 'e',
        _ => 'b',
    };
    let mut text = if float_conv {
        let f = match v {
            Value::Float(f) => f.get(),
            Value::Int(n) => *n as f64,
            Value::Undefined => 0.0,
            _ => {
                return Err(error(format!(
                    "ERROR: (s)printf(): Incorrect argument type to %{letter}."
                )));
            }
        };
        let precision = if d.precision > 0 { precision } else { 6 };
        let body = match d.conv {
            Conv::Float => fixed(f, precision),
            Conv::EFloat => exponent(f, precision),
            _ => general(f, precision),
        };
        signed(body, f.is_sign_negative() && !f.is_nan(), d.sign)
    } else {
        let n = match v {
            Value::Int(n) => *n,
            Value::Undefined => 0,
            Value::Float(f) if d.conv == Conv::Int => f.get().floor() as i64,
            _ => {
                return Err(error(format!(
                    "ERROR: (s)printf(): Incorrect argument type to %{letter}."
                )));
            }
        };
        let digits = match d.conv {
            Conv::Int => n.unsigned_abs().to_string(),
            Conv::Oct => format!("{:o}", n as u64),
            Conv::Hex => format!("{:x}", n as u64),
            Conv::UpperHex => format!("{:X}", n as u64),
            _ => format!("{:b}", n as u64),
        };
        let digits = if d.precision > 0 && digits.len() < precision {
            "0".repeat(precision - digits.len()) + &digits
        } else {
            digits
        };
        if d.conv == Conv::Int {
            signed(digits, n < 0, d.sign)
        } else {
            digits
        }
    };
    let _ = p;
    // The conversion buffer holds this much; longer output is cut.
    text.truncate(1077);
    Ok(text)
}

fn signed(body: String, negative: bool, sign: Option<char>) -> String {
    let body = body.strip_prefix('-').map(str::to_string).unwrap_or(body);
    match (negative, sign) {
        (true, _) => format!("-{body}"),
        (false, Some(s)) => format!("{s}{body}"),
        (false, None) => body,
    }
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("nan".into())
    } else if f.is_infinite() {
        Some(if f < 0.0 { "-inf" } else { "inf" }.into())
    } else {
        None
    }
}

/// `%f`: fixed notation.
fn fixed(f: f64, precision: usize) -> String {
    special(f).unwrap_or_else(|| format!("{f:.precision$}"))
}

/// `%e`: one digit, the fraction and a signed exponent of two or more digits.
fn exponent(f: f64, precision: usize) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let s = format!("{f:.precision$e}");
    let Some((mantissa, exp)) = s.split_once('e') else {
        return s;
    };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// `%g`: the shorter of `%e` and `%f` for the precision, without trailing zeros.
fn general(f: f64, precision: usize) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let p = precision.max(1);
    let e = format!("{:.*e}", p - 1, f);
    let x: i64 = e
        .split_once('e')
        .and_then(|(_, x)| x.parse().ok())
        .unwrap_or(0);
    let trim = |s: String| -> String {
        if !s.contains('.') {
            return s;
        }
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    if x < p as i64 && x >= -4 {
        let decimals = (p as i64 - 1 - x).max(0) as usize;
        trim(format!("{f:.decimals$}"))
    } else {
        let s = exponent(f, p - 1);
        match s.split_once('e') {
            Some((m, x)) => format!("{}e{x}", trim(m.to_string())),
            None => s,
        }
    }
}

/// Terminal cells of `text`: wide characters take two, ANSI colour
/// sequences none.
pub fn text_width(text: &str) -> usize {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text.len();
    }
    let mut total = 0;
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = skip_ansi(rest) {
            rest = after;
            continue;
        }
        let g = rest.graphemes(true).next().unwrap_or(rest);
        total += grapheme_width(g);
        rest = &rest[g.len()..];
    }
    total
}

fn grapheme_width(g: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    // Control characters take no cell (unicode-width counts some as one).
    if g.chars().all(char::is_control) {
        return 0;
    }
    g.width()
}

/// The text after an ANSI colour sequence (`ESC [ digits/; m`) that starts `s`.
fn skip_ansi(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("\x1b[")?;
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
    rest[end..].strip_prefix('m')
}

/// The longest prefix of `text`, cut between grapheme clusters, at most
/// `max` cells wide: (bytes, cells).
pub fn fit_width(text: &str, max: usize) -> (usize, usize) {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let len = text.len().min(max);
        return (len, len);
    }
    let mut len = 0;
    let mut width = 0;
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = skip_ansi(rest) {
            len += rest.len() - after.len();
            rest = after;
            continue;
        }
        let g = rest.graphemes(true).next().unwrap_or(rest);
        let w = grapheme_width(g);
        if width + w > max {
            break;
        }
        width += w;
        len += g.len();
        rest = &rest[g.len()..];
    }
    (len, width)
}

/// Where a column line of at most `max` cells ends: at a newline, at the
/// last break opportunity that fits, or after a word too long to break.
/// Returns (bytes, cells).
fn cut_line(src: &str, max: usize) -> (usize, usize) {
    let bytes = src.as_bytes();
    let mut len = 0;
    let mut width = 0;
    let mut hard = false;
    let mut rest = src;
    // Cells of `src` before the current cluster.
    let mut acc = 0;
    loop {
        while let Some(after) = skip_ansi(rest) {
            rest = after;
        }
        let pos = src.len() - rest.len();
        if bytes.get(pos) == Some(&b'\n') {
            hard = true;
            len = pos;
            width = acc;
            break;
        }
        if acc > 0 && acc == max {
            len = pos;
            width = acc;
            break;
        }
        if acc > max {
            if width == 0 {
                hard = true;
                len = pos;
                width = acc;
            }
            break;
        }
        len = pos;
        width = acc;
        let Some(g) = rest.graphemes(true).next() else {
            break;
        };
        acc += grapheme_width(g);
        rest = &rest[g.len()..];
    }
    if !hard && bytes.get(len) != Some(&b' ') && !line_break_at(src, len) {
        match line_break_before(src, len) {
            Some(prev) if src[..prev].bytes().any(|b| b != b' ') => {
                len = prev;
                width = text_width(&src[..len]);
            }
            Some(_) => {}
            None => {
                let mut next = line_break_after(src, len);
                if next > 0 && bytes.get(next - 1) == Some(&b'\n') {
                    next -= 1;
                }
                len = next;
                width = text_width(&src[..len]);
            }
        }
    }
    if len > 1 && bytes.get(len - 1) == Some(&b' ') {
        len -= 1;
        width = width.saturating_sub(1);
    }
    (len, width)
}

/// Whether a line may break before byte `at`: after spaces or a newline,
/// next to a wide (ideographic) character, or at either end.
fn line_break_at(src: &str, at: usize) -> bool {
    if at == 0 || at >= src.len() {
        return true;
    }
    if !src.is_char_boundary(at) {
        return false;
    }
    let before = src[..at].chars().next_back();
    let after = src[at..].chars().next();
    match (before, after) {
        (Some('\n'), _) => true,
        (Some(' '), Some(a)) => a != ' ',
        (Some(b), Some(a)) => {
            use unicode_width::UnicodeWidthChar;
            (b.width() == Some(2) || a.width() == Some(2)) && a != ' '
        }
        _ => true,
    }
}

/// The last break opportunity before `at`, other than the start.
fn line_break_before(src: &str, at: usize) -> Option<usize> {
    (1..at).rev().find(|&i| line_break_at(src, i))
}

/// The first break opportunity after `at` (the end when there is none).
fn line_break_after(src: &str, at: usize) -> usize {
    (at + 1..src.len())
        .find(|&i| line_break_at(src, i))
        .unwrap_or(src.len())
}
