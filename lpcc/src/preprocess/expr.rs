//! Evaluation of `#if` / `#elif` conditions: C integer expressions over
//! already macro-expanded tokens, with the driver's 64-bit wrapping arithmetic.

use crate::lexer::TokenKind;

/// One item of a condition: a number, or an operator token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Item {
    Num(i64),
    Op(TokenKind),
}

/// Parenthesis and unary nesting beyond this is rejected rather than
/// risking the stack.
const MAX_DEPTH: u32 = 1000;

struct Eval<'a> {
    items: &'a [Item],
    pos: usize,
    error: Option<&'static str>,
    depth: u32,
}

/// The value of a condition, or the first problem found in it.
pub(crate) fn evaluate(items: &[Item]) -> Result<i64, &'static str> {
    let mut eval = Eval {
        items,
        pos: 0,
        error: None,
        depth: 0,
    };
    let value = eval.conditional();
    if let Some(error) = eval.error {
        return Err(error);
    }
    if eval.pos < items.len() {
        return Err("condition too complex in #if");
    }
    Ok(value)
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

impl Eval<'_> {
    fn peek_op(&self) -> Option<TokenKind> {
        match self.items.get(self.pos) {
            Some(Item::Op(kind)) => Some(*kind),
            _ => None,
        }
    }

    fn fail(&mut self, message: &'static str) {
        if self.error.is_none() {
            self.error = Some(message);
        }
    }

    fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.fail("expression nested too deeply in #if");
            return false;
        }
        true
    }

    /// `cond ? a : b`, right-associative.
    fn conditional(&mut self) -> i64 {
        if !self.enter() {
            self.pos = self.items.len();
            return 0;
        }
        let cond = self.binary(0);
        let value = if self.peek_op() == Some(TokenKind::Question) {
            self.pos += 1;
            let yes = self.conditional();
            if self.peek_op() == Some(TokenKind::Colon) {
                self.pos += 1;
            } else {
                self.fail("'?' without ':' in #if");
            }
            let no = self.conditional();
            if cond != 0 { yes } else { no }
        } else {
            cond
        };
        self.depth -= 1;
        value
    }

    /// Precedence climbing over the binary operators; both operands of
    /// `&&` and `||` are evaluated, as the driver does.
    fn binary(&mut self, min: u8) -> i64 {
        let mut lhs = self.atom();
        while let Some(kind) = self.peek_op() {
            let Some(prec) = binary_precedence(kind) else {
                break;
            };
            if prec < min {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(prec + 1);
            lhs = self.combine(kind, lhs, rhs);
        }
        lhs
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

    /// A number, a parenthesized condition or a unary operator applied to
    /// an atom. A missing atom counts as 0 and anything else is skipped as
    /// 0, as the driver does.
    fn atom(&mut self) -> i64 {
        let Some(&item) = self.items.get(self.pos) else {
            return 0;
        };
        self.pos += 1;
        let kind = match item {
            Item::Num(n) => return n,
            Item::Op(kind) => kind,
        };
        use TokenKind::*;
        match kind {
            LParen => {
                let value = self.conditional();
                if self.peek_op() == Some(RParen) {
                    self.pos += 1;
                } else {
                    self.fail("bracket not paired in #if");
                }
                value
            }
            Bang | Tilde | Minus | Plus => {
                if !self.enter() {
                    self.pos = self.items.len();
                    return 0;
                }
                let operand = self.atom();
                self.depth -= 1;
                match kind {
                    Bang => (operand == 0) as i64,
                    Tilde => !operand,
                    Minus => operand.wrapping_neg(),
                    _ => operand,
                }
            }
            _ => 0,
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
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(eval(&deep), Err("expression nested too deeply in #if"));
        let nots = format!("{}1", "!".repeat(5000));
        assert_eq!(eval(&nots), Err("expression nested too deeply in #if"));
    }
}
