//! The `I` command: re-indents a buffer of LPC code. Blocks indent one
//! shift width, open parentheses and array or mapping literals half of
//! one, and the body of an `if`, `else`, `for`, `foreach`, `while` or `do`
//! written without braces one shift width. `case` and `default` labels sit
//! one step left of the statements they label. Preprocessor lines, text
//! blocks (`@END ... END`), and the inside of strings are left as they are;
//! comment lines move with the code around them.

/// What an open context is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Brace,
    /// `(`, `[`, `({`, `([`, `(:`.
    Paren,
    /// The body of a control keyword, up to the end of its statement.
    Body,
}

/// Which keyword a parenthesis or body belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    None,
    If,
    /// `for`, `foreach`, `while`, `switch`, `else`, `do`.
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Context {
    kind: Kind,
    owner: Owner,
    /// Indent of the line that opened it; its closer lines up with it.
    base: usize,
    /// Indent of lines inside it.
    inner: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Open(Kind),
    Close,
    CloseBrace,
    Semicolon,
    /// `if`, `for`, `foreach`, `while`, `switch`: a parenthesis follows.
    Control {
        is_if: bool,
    },
    Else,
    Do,
    Label,
    Other,
}

/// Lexical state carried from one line to the next.
#[derive(Default)]
struct Lexer {
    /// Inside `/* ... */`, and the shift its first line got.
    comment: Option<i64>,
    /// Inside a string continued with a backslash.
    quote: Option<char>,
    /// Inside a preprocessor line continued with a backslash.
    directive: bool,
    /// Inside a text block, with its terminator.
    block: Option<String>,
}

/// The open contexts, innermost last, and what the last tokens left.
struct Nesting {
    stack: Vec<Context>,
    /// A control keyword waits for its parenthesis.
    pending: Option<Owner>,
    /// Bodies the last statement closed, innermost first: an `else` that
    /// follows belongs to the innermost `if` among them.
    closed: Vec<Context>,
    shiftwidth: usize,
}

/// The lines indented, or the message of the error that stopped it.
pub fn indent(lines: &[String], shiftwidth: usize) -> Result<Vec<String>, String> {
    let mut nest = Nesting {
        stack: Vec::new(),
        pending: None,
        closed: Vec::new(),
        shiftwidth,
    };
    let mut lex = Lexer::default();
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        if let Some(end) = &lex.block {
            if line.starts_with(end.as_str()) {
                lex.block = None;
            }
            out.push(line.clone());
            continue;
        }
        if lex.directive || (lex.quote.is_none() && lex.comment.is_none() && line.starts_with('#'))
        {
            lex.directive = line.ends_with('\\');
            out.push(line.clone());
            continue;
        }
        if lex.quote.is_some() {
            // The line continues a string: its text is part of the value.
            let tokens = scan(line, &mut lex, number)?;
            let here = nest.current();
            nest.apply(&tokens, here);
            out.push(line.clone());
            continue;
        }
        let (old_indent, body) = split_indent(line, super::engine::TAB_WIDTH);
        if body.is_empty() {
            out.push(String::new());
            continue;
        }
        if let Some(shift) = lex.comment {
            let tokens = scan(body, &mut lex, number)?;
            let new = (old_indent as i64 + shift).max(0) as usize;
            nest.apply(&tokens, new);
            out.push(format!("{}{}", " ".repeat(new), body));
            continue;
        }
        let tokens = scan(body, &mut lex, number)?;
        let new = nest.line_indent(&tokens);
        // A comment left open moves its later lines as much as this one.
        if let Some(shift) = lex.comment.as_mut() {
            *shift = new as i64 - old_indent as i64;
        }
        nest.apply(&tokens, new);
        out.push(format!("{}{}", " ".repeat(new), body));
    }
    Ok(out)
}

impl Nesting {
    /// The indent inside the innermost context.
    fn current(&self) -> usize {
        self.stack.last().map_or(0, |c| c.inner)
    }

    /// The innermost `if` body the last statement closed.
    fn open_if(&self) -> Option<usize> {
        self.closed.iter().position(|c| c.owner == Owner::If)
    }

    /// Where a line starting with `tokens` goes.
    fn line_indent(&self, tokens: &[Token]) -> usize {
        let stack = &self.stack;
        let Some(&first) = tokens.first() else {
            return self.current();
        };
        match first {
            Token::Close => stack
                .iter()
                .rposition(|c| c.kind == Kind::Paren)
                .map_or(0, |i| stack[i].base),
            Token::CloseBrace => stack
                .iter()
                .rposition(|c| c.kind == Kind::Brace)
                .map_or(0, |i| stack[i].base),
            // A brace opening the body of a control keyword sits with the keyword.
            Token::Open(Kind::Brace) => match stack.last() {
                Some(c) if c.kind == Kind::Body => c.base,
                _ => self.current(),
            },
            Token::Label => match stack.last() {
                Some(c) if c.kind == Kind::Brace => c.inner.saturating_sub(self.shiftwidth),
                _ => self.current(),
            },
            Token::Else => match self.open_if() {
                Some(i) => self.closed[i].base,
                None => self.current(),
            },
            _ => self.current(),
        }
    }

    fn push(&mut self, kind: Kind, owner: Owner, base: usize, step: usize) {
        self.stack.push(Context {
            kind,
            owner,
            base,
            inner: base + step,
        });
    }

    /// Updates the open contexts with the tokens of a line indented `indent`.
    fn apply(&mut self, tokens: &[Token], indent: usize) {
        let sw = self.shiftwidth;
        for &token in tokens {
            if !matches!(token, Token::Else) {
                // Only an `else` right after a statement can reopen its `if`.
                if !matches!(token, Token::Semicolon | Token::CloseBrace) {
                    self.closed.clear();
                }
            }
            match token {
                Token::Open(Kind::Brace) => {
                    // A brace right after a control keyword is its body.
                    let (owner, base) = match self.stack.last() {
                        Some(&c) if c.kind == Kind::Body => {
                            self.stack.pop();
                            (c.owner, c.base)
                        }
                        _ => (Owner::None, indent),
                    };
                    self.push(Kind::Brace, owner, base, sw);
                    self.pending = None;
                }
                Token::Open(kind) => {
                    let owner = self.pending.take().unwrap_or(Owner::None);
                    self.push(kind, owner, indent, sw / 2);
                }
                Token::Close => {
                    let Some(i) = self.stack.iter().rposition(|c| c.kind == Kind::Paren) else {
                        continue;
                    };
                    let closed = self.stack[i];
                    self.stack.truncate(i);
                    if closed.owner != Owner::None {
                        self.push(Kind::Body, closed.owner, closed.base, sw);
                    }
                }
                Token::CloseBrace => {
                    let Some(i) = self.stack.iter().rposition(|c| c.kind == Kind::Brace) else {
                        self.end_statement();
                        continue;
                    };
                    let brace = self.stack[i];
                    self.stack.truncate(i);
                    self.end_statement();
                    if brace.owner == Owner::If {
                        self.closed.insert(0, brace);
                    }
                }
                Token::Semicolon => {
                    if !matches!(self.stack.last(), Some(c) if c.kind == Kind::Paren) {
                        self.end_statement();
                    }
                }
                Token::Control { is_if } => {
                    self.pending = Some(if is_if { Owner::If } else { Owner::Other });
                }
                Token::Else => {
                    self.pending = None;
                    // The bodies around the `if` this `else` belongs to are
                    // still open: their statement goes on.
                    let base = match self.open_if() {
                        Some(i) => {
                            let base = self.closed[i].base;
                            let outer: Vec<Context> = self.closed.drain(i..).skip(1).collect();
                            self.stack.extend(outer.into_iter().rev());
                            base
                        }
                        None => indent,
                    };
                    self.closed.clear();
                    self.push(Kind::Body, Owner::Other, base, sw);
                }
                Token::Do => {
                    self.pending = None;
                    self.push(Kind::Body, Owner::Other, indent, sw);
                }
                Token::Label | Token::Other => self.pending = None,
            }
        }
    }

    /// A statement ended: the bodies it completed close.
    fn end_statement(&mut self) {
        self.closed.clear();
        while matches!(self.stack.last(), Some(c) if c.kind == Kind::Body) {
            if let Some(c) = self.stack.pop() {
                self.closed.push(c);
            }
        }
    }
}

/// The width of a line's indent, and the text after it.
fn split_indent(line: &str, tab: usize) -> (usize, &str) {
    let mut width = 0;
    for (i, ch) in line.char_indices() {
        match ch {
            ' ' => width += 1,
            '\t' => width += tab - width % tab,
            _ => return (width, &line[i..]),
        }
    }
    (width, "")
}

/// The tokens of one line that matter for indenting.
fn scan(text: &str, lex: &mut Lexer, number: usize) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if lex.comment.is_some() {
            if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                lex.comment = None;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if let Some(q) = lex.quote {
            match chars[i] {
                '\\' if i + 1 == chars.len() => return Ok(tokens),
                '\\' => i += 2,
                c if c == q => {
                    lex.quote = None;
                    i += 1;
                }
                _ => i += 1,
            }
            continue;
        }
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        i += 1;
        match c {
            ' ' | '\t' => {}
            '"' => {
                lex.quote = Some('"');
                tokens.push(Token::Other);
            }
            '\'' => {
                // A character constant: 'x' or '\x'.
                if next == Some('\\') {
                    i += 2;
                } else {
                    i += 1;
                }
                if chars.get(i) == Some(&'\'') {
                    i += 1;
                }
                tokens.push(Token::Other);
            }
            '/' if next == Some('/') => break,
            '/' if next == Some('*') => {
                lex.comment = Some(0);
                i += 1;
            }
            '@' => {
                let start = if next == Some('@') { i + 1 } else { i };
                let end: String = chars[start.min(chars.len())..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || **c == '_')
                    .collect();
                lex.block = Some(end);
                tokens.push(Token::Other);
                return Ok(tokens);
            }
            '{' => tokens.push(Token::Open(Kind::Brace)),
            '(' => {
                if matches!(next, Some('{' | '['))
                    || (next == Some(':') && chars.get(i + 1) != Some(&':'))
                {
                    i += 1;
                }
                tokens.push(Token::Open(Kind::Paren));
            }
            '[' => tokens.push(Token::Open(Kind::Paren)),
            '}' if next == Some(')') => {
                i += 1;
                tokens.push(Token::Close);
            }
            ']' if next == Some(')') => {
                i += 1;
                tokens.push(Token::Close);
            }
            ':' if next == Some(')') => {
                i += 1;
                tokens.push(Token::Close);
            }
            '}' => tokens.push(Token::CloseBrace),
            ')' | ']' => tokens.push(Token::Close),
            ';' => tokens.push(Token::Semicolon),
            c if c.is_alphabetic() || c == '_' => {
                let start = i - 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push(match word.as_str() {
                    "if" => Token::Control { is_if: true },
                    "for" | "foreach" | "while" | "switch" => Token::Control { is_if: false },
                    "else" => Token::Else,
                    "do" => Token::Do,
                    "case" | "default" if tokens.is_empty() => Token::Label,
                    _ => Token::Other,
                });
            }
            _ => tokens.push(Token::Other),
        }
    }
    // A string may only go on to the next line after a backslash.
    if lex.quote.is_some() && !text.ends_with('\\') {
        return Err(format!("Unterminated string in line {number}\n"));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::indent;

    fn check(source: &str, expected: &str) {
        let lines: Vec<String> = source.lines().map(|l| l.trim_start().to_string()).collect();
        let got = indent(&lines, 4).expect("indents").join("\n");
        assert_eq!(got, expected.trim_end_matches('\n'));
    }

    #[test]
    fn statements_and_blocks() {
        let want = "\
int f(int x)
{
    if (x)
        if (x > 2) {
            x++;
        }
        else
            x--;
    else
        x = 1;
    if (x)
        if (x > 2)
            x++;
        else
            x--;
    x++;
    if (x > 1)
    {
        x--;
    }
    else if (x)
        x++;
    else
        return 0;
    do {
        x++;
    } while (x < 10);
    for (int i = 0; i < 3; i++)
        if (i)
            x += i;
    foreach (int y in ({ 1, 2 })) {
        x += y;
    }
    return x;
}
";
        check(want, want);
    }

    #[test]
    fn comments_preprocessor_and_text_blocks() {
        let source = "\
#define X(a) \\
  (a + 1)
/* a comment
   that goes on */
void g() {
// line comment
string s = @END
  kept   as is
END;
mapping m = ([
\"a\": 1,
]);
}
";
        let lines: Vec<String> = source.lines().map(str::to_string).collect();
        let got = indent(&lines, 4).expect("indents");
        assert_eq!(
            got,
            vec![
                "#define X(a) \\",
                "  (a + 1)",
                "/* a comment",
                "   that goes on */",
                "void g() {",
                "    // line comment",
                "    string s = @END",
                "  kept   as is",
                "END;",
                "    mapping m = ([",
                "      \"a\": 1,",
                "    ]);",
                "}",
            ]
        );
    }

    #[test]
    fn errors_stop_it() {
        let lines = vec!["x = \"open;".to_string()];
        assert_eq!(
            indent(&lines, 4).unwrap_err(),
            "Unterminated string in line 1\n"
        );
        let lines = vec![
            "s = \"a\\".to_string(),
            "b\";".to_string(),
            "}}".to_string(),
        ];
        assert!(indent(&lines, 4).is_ok());
    }
}
