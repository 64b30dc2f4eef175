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
    Paren {
        control: bool,
    },
    /// The body of a control keyword, up to the end of its statement.
    Body,
}

#[derive(Clone, Copy, Debug)]
struct Context {
    kind: Kind,
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
    Control,
    /// `else` and `do`: a body follows directly.
    BodyKeyword,
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

/// The lines indented, or the message of the error that stopped it.
pub fn indent(lines: &[String], shiftwidth: usize) -> Result<Vec<String>, String> {
    let half = shiftwidth / 2;
    let mut stack: Vec<Context> = Vec::new();
    let mut lex = Lexer::default();
    // A control keyword was seen and its parenthesis has not opened yet.
    let mut control_pending = false;
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
            let here = current(&stack);
            apply(
                &tokens,
                &mut stack,
                &mut control_pending,
                here,
                shiftwidth,
                half,
            );
            out.push(line.clone());
            continue;
        }
        let old = super::engine::TAB_WIDTH;
        let (old_indent, body) = split_indent(line, old);
        if body.is_empty() {
            out.push(String::new());
            continue;
        }
        if let Some(shift) = lex.comment {
            let tokens = scan(body, &mut lex, number)?;
            let new = (old_indent as i64 + shift).max(0) as usize;
            apply(
                &tokens,
                &mut stack,
                &mut control_pending,
                new,
                shiftwidth,
                half,
            );
            out.push(format!("{}{}", " ".repeat(new), body));
            continue;
        }
        let tokens = scan(body, &mut lex, number)?;
        let new = line_indent(&tokens, &stack, shiftwidth);
        // A comment left open moves its later lines as much as this one.
        if let Some(shift) = lex.comment.as_mut() {
            *shift = new as i64 - old_indent as i64;
        }
        apply(
            &tokens,
            &mut stack,
            &mut control_pending,
            new,
            shiftwidth,
            half,
        );
        out.push(format!("{}{}", " ".repeat(new), body));
    }
    Ok(out)
}

/// The indent inside the innermost context.
fn current(stack: &[Context]) -> usize {
    stack.last().map_or(0, |c| c.inner)
}

/// Where a line starting with `tokens` goes.
fn line_indent(tokens: &[Token], stack: &[Context], shiftwidth: usize) -> usize {
    let Some(&first) = tokens.first() else {
        return current(stack);
    };
    match first {
        Token::Close => stack
            .iter()
            .rposition(|c| matches!(c.kind, Kind::Paren { .. }))
            .map_or(0, |i| stack[i].base),
        Token::CloseBrace => {
            let Some(i) = stack.iter().rposition(|c| c.kind == Kind::Brace) else {
                return 0;
            };
            stack[i].base
        }
        // A brace opening the body of a control keyword sits with the keyword.
        Token::Open(Kind::Brace) => match stack.last() {
            Some(c) if c.kind == Kind::Body => c.base,
            _ => current(stack),
        },
        Token::Label => match stack.last() {
            Some(c) if c.kind == Kind::Brace => c.inner.saturating_sub(shiftwidth),
            _ => current(stack),
        },
        _ => current(stack),
    }
}

/// Updates the open contexts with the tokens of a line indented `indent`.
fn apply(
    tokens: &[Token],
    stack: &mut Vec<Context>,
    control_pending: &mut bool,
    indent: usize,
    shiftwidth: usize,
    half: usize,
) {
    for &token in tokens {
        match token {
            Token::Open(Kind::Brace) => {
                let base = match stack.last() {
                    Some(c) if c.kind == Kind::Body => {
                        let base = c.base;
                        stack.pop();
                        base
                    }
                    _ => indent,
                };
                stack.push(Context {
                    kind: Kind::Brace,
                    base,
                    inner: base + shiftwidth,
                });
                *control_pending = false;
            }
            Token::Open(kind) => {
                let control = *control_pending;
                *control_pending = false;
                let base = indent;
                stack.push(Context {
                    kind: match kind {
                        Kind::Paren { .. } => Kind::Paren { control },
                        other => other,
                    },
                    base,
                    inner: base + half,
                });
            }
            Token::Close => {
                let Some(i) = stack
                    .iter()
                    .rposition(|c| matches!(c.kind, Kind::Paren { .. }))
                else {
                    continue;
                };
                let closed = stack[i];
                stack.truncate(i);
                if closed.kind == (Kind::Paren { control: true }) {
                    stack.push(Context {
                        kind: Kind::Body,
                        base: closed.base,
                        inner: closed.base + shiftwidth,
                    });
                }
            }
            Token::CloseBrace => {
                if let Some(i) = stack.iter().rposition(|c| c.kind == Kind::Brace) {
                    stack.truncate(i);
                }
                end_statement(stack);
            }
            Token::Semicolon => {
                if !matches!(stack.last(), Some(c) if matches!(c.kind, Kind::Paren { .. })) {
                    end_statement(stack);
                }
            }
            Token::Control => *control_pending = true,
            Token::BodyKeyword => {
                *control_pending = false;
                let base = indent;
                stack.push(Context {
                    kind: Kind::Body,
                    base,
                    inner: base + shiftwidth,
                });
            }
            Token::Label | Token::Other => *control_pending = false,
        }
    }
}

/// A statement ended: the bodies it completed close.
fn end_statement(stack: &mut Vec<Context>) {
    while matches!(stack.last(), Some(c) if c.kind == Kind::Body) {
        stack.pop();
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
                tokens.push(Token::Open(Kind::Paren { control: false }));
            }
            '[' => tokens.push(Token::Open(Kind::Paren { control: false })),
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
                    "if" | "for" | "foreach" | "while" | "switch" => Token::Control,
                    "else" | "do" => Token::BodyKeyword,
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
