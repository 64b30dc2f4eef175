//! Evaluation of `#if` / `#elif` conditions: C integer expressions over
//! already macro-expanded tokens, with the driver's 64-bit wrapping arithmetic.

use crate::lexer::TokenKind;

/// One item of a condition: a number, or an operator token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    Num(i64),
    Op(TokenKind),
}

/// An operator waiting on the stack for its right operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    Unary(TokenKind),
    Binary(TokenKind, u8),
    Paren,
    /// `?` seen; the condition is on the value stack.
    Question,
    /// `:` seen; the condition and the first branch are on the value stack.
    Colon,
}

/// The value of a condition, or the first problem found in it.
///
/// An operator-precedence parse over explicit stacks: conditions built by
/// macros may nest hundreds of thousands of levels, which recursion could
/// not survive. Both operands of `&&`, `||` and `?:` are evaluated, as the
/// driver does. A missing operand counts as 0 and a token that cannot
/// start one is skipped as 0.
pub(crate) fn evaluate(items: &[Item]) -> Result<i64, &'static str> {
    let mut eval = Eval {
        values: Vec::new(),
        ops: Vec::new(),
        error: None,
    };
    let mut pos = 0;
    // Whether an operand is expected next (else an operator).
    let mut operand = true;
    loop {
        if operand {
            let Some(&item) = items.get(pos) else {
                eval.values.push(0);
                break;
            };
            pos += 1;
            match item {
                Item::Num(n) => {
                    eval.values.push(n);
                    operand = false;
                }
                Item::Op(TokenKind::LParen) => eval.ops.push(Pending::Paren),
                Item::Op(
                    kind
                    @ (TokenKind::Bang | TokenKind::Tilde | TokenKind::Minus | TokenKind::Plus),
                ) => {
                    eval.ops.push(Pending::Unary(kind));
                }
                Item::Op(_) => {
                    eval.values.push(0);
                    operand = false;
                }
            }
            continue;
        }
        let Some(Item::Op(kind)) = items.get(pos).copied() else {
            break;
        };
        if let Some(prec) = binary_precedence(kind) {
            eval.reduce_while(|op| match op {
                Pending::Unary(_) => true,
                Pending::Binary(_, p) => p >= prec,
                _ => false,
            });
            eval.ops.push(Pending::Binary(kind, prec));
        } else if kind == TokenKind::Question {
            eval.reduce_while(|op| matches!(op, Pending::Unary(_) | Pending::Binary(..)));
            eval.ops.push(Pending::Question);
        } else if kind == TokenKind::Colon {
            eval.reduce_while(|op| !matches!(op, Pending::Question | Pending::Paren));
            if eval.ops.last() != Some(&Pending::Question) {
                break;
            }
            eval.ops.pop();
            eval.ops.push(Pending::Colon);
        } else if kind == TokenKind::RParen {
            eval.reduce_while(|op| op != Pending::Paren);
            if eval.ops.pop() != Some(Pending::Paren) {
                break;
            }
            pos += 1;
            continue;
        } else {
            break;
        }
        pos += 1;
        operand = true;
    }
    eval.reduce_while(|_| true);
    if let Some(error) = eval.error {
        return Err(error);
    }
    if pos < items.len() {
        return Err("condition too complex in #if");
    }
    Ok(eval.values.pop().unwrap_or(0))
}

fn binary_precedence(kind: TokenKind) -> Option<u8> {
    use TokenKind::*;
    Some(match kind {
        OrOr => 1,
        AndAnd => 2,
        Pipe => 3,
        Caret => 4,
        Amp => 5,
        EqEq | NotEq => 6,
        Lt | Gt | Le | Ge => 7,
        Shl | Shr => 8,
        Plus | Minus => 9,
        Star | Slash | Percent => 10,
        _ => return None,
    })
}

struct Eval {
    values: Vec<i64>,
    ops: Vec<Pending>,
    error: Option<&'static str>,
}

impl Eval {
    fn fail(&mut self, message: &'static str) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    fn pop(&mut self) -> i64 {
        self.values.pop().unwrap_or(0)
    }

    /// Applies pending operators from the top while `take` accepts them.
    fn reduce_while(&mut self, take: impl Fn(Pending) -> bool) {
        while let Some(&op) = self.ops.last() {
            if !take(op) {
                break;
            }
            self.ops.pop();
            let value = match op {
                Pending::Unary(kind) => {
                    let operand = self.pop();
                    match kind {
                        TokenKind::Bang => (operand == 0) as i64,
                        TokenKind::Tilde => !operand,
                        TokenKind::Minus => operand.wrapping_neg(),
                        _ => operand,
                    }
                }
                Pending::Binary(kind, _) => {
                    let rhs = self.pop();
                    let lhs = self.pop();
                    self.combine(kind, lhs, rhs)
                }
                Pending::Paren => {
                    self.fail("bracket not paired in #if");
                    self.pop()
                }
                Pending::Question => {
                    self.fail("'?' without ':' in #if");
                    let yes = self.pop();
                    let cond = self.pop();
                    if cond != 0 { yes } else { 0 }
                }
                Pending::Colon => {
                    let no = self.pop();
                    let yes = self.pop();
                    let cond = self.pop();
                    if cond != 0 { yes } else { no }
                }
            };
            self.values.push(value);
        }
    }

    fn combine(&mut self, kind: TokenKind, lhs: i64, rhs: i64) -> i64 {
        use TokenKind::*;
        match kind {
            OrOr => (lhs != 0 || rhs != 0) as i64,
            AndAnd => (lhs != 0 && rhs != 0) as i64,
            Pipe => lhs | rhs,
            Caret => lhs ^ rhs,
            Amp => lhs & rhs,
            EqEq => (lhs == rhs) as i64,
            NotEq => (lhs != rhs) as i64,
            Lt => (lhs < rhs) as i64,
            Gt => (lhs > rhs) as i64,
            Le => (lhs <= rhs) as i64,
            Ge => (lhs >= rhs) as i64,
            Shl => lhs.wrapping_shl((rhs & 63) as u32),
            Shr => lhs.wrapping_shr((rhs & 63) as u32),
            Plus => lhs.wrapping_add(rhs),
            Minus => lhs.wrapping_sub(rhs),
            Star => lhs.wrapping_mul(rhs),
            Slash if rhs == 0 => {
                self.fail("division by 0 in #if");
                0
            }
            Slash => lhs.wrapping_div(rhs),
            Percent if rhs == 0 => {
                self.fail("modulo by 0 in #if");
                0
            }
            Percent => lhs.wrapping_rem(rhs),
            _ => lhs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::{Lexer, parse_int};
    use crate::span::FileId;

    fn eval(src: &str) -> Result<i64, &'static str> {
        let items: Vec<Item> = Lexer::new(src, FileId(0))
            .map(|t| match t.kind {
                TokenKind::Int => Item::Num(parse_int(&src[t.span.range()])),
                kind => Item::Op(kind),
            })
            .collect();
        evaluate(&items)
    }

    #[test]
    fn precedence_and_operators() {
        assert_eq!(eval("1 + 2 * 3"), Ok(7));
        assert_eq!(eval("(1 + 2) * 3"), Ok(9));
        assert_eq!(eval("1 << 4 >> 2"), Ok(4));
        assert_eq!(eval("7 & 3 | 8 ^ 1"), Ok(11));
        assert_eq!(eval("1 < 2 == 1"), Ok(1));
        assert_eq!(eval("2 >= 3 || 4 <= 4 && 1 != 2"), Ok(1));
        assert_eq!(eval("-5 / 2"), Ok(-2));
        assert_eq!(eval("-5 % 3"), Ok(-2));
        assert_eq!(eval("!0 + ~0 + +3"), Ok(3));
        assert_eq!(eval("0 ? 1 : 2 ? 3 : 4"), Ok(3));
        assert_eq!(eval("1 ? 2 : 3"), Ok(2));
        assert_eq!(eval("1 << 65"), Ok(2));
        assert_eq!(eval("9223372036854775807 + 1"), Ok(i64::MIN));
        assert_eq!(eval(""), Ok(0));
    }

    #[test]
    fn errors() {
        assert_eq!(eval("1 / 0"), Err("division by 0 in #if"));
        assert_eq!(eval("1 % 0"), Err("modulo by 0 in #if"));
        assert_eq!(eval("0 && 1 / 0"), Err("division by 0 in #if"));
        assert_eq!(eval("(1"), Err("bracket not paired in #if"));
        assert_eq!(eval("1 ? 2"), Err("'?' without ':' in #if"));
        assert_eq!(eval("1 2"), Err("condition too complex in #if"));
        assert_eq!(eval("1 ) 2"), Err("condition too complex in #if"));
    }

    #[test]
    fn deep_nesting_needs_no_stack() {
        let deep = format!("{}7{}", "(".repeat(300_000), ")".repeat(300_000));
        assert_eq!(eval(&deep), Ok(7));
        let nots = format!("{}5", "!".repeat(300_001));
        assert_eq!(eval(&nots), Ok(0));
        let ternaries = format!("{}9", "0 ? 1 : ".repeat(300_000));
        assert_eq!(eval(&ternaries), Ok(9));
        assert_eq!(eval("1 ? 0 ? 2 : 3 : 4"), Ok(3));
        assert_eq!(eval("-2 * 3 + !0"), Ok(-5));
    }
}
