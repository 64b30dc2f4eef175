//! Snapshot of the lexer's output on one file that uses every kind of token.

use lpcc::lexer::tokenize;
use lpcc::span::FileId;

#[test]
fn every_token_kind() {
    let src = r#"#include <x.h>
inherit "/std/room";
private nosave mapping m = ([ "k": ({ 1, 0x1F, 0b10, 1_000 }), ]);
float f = 1.5e3 + 2. ;
varargs int g(int ref a, mixed *rest...) {
    string s = `t ${a} u` + "q\n" 'c' + @END
text
END;
    function fp = (: $1 + $(a) :);
    a ??= m?.k ?? m.?["k"] ?? efun::sizeof(rest[<1..<2]);
    a <<= 1; a >>= 1; a &&= a || !a; a ||= ~a & a | a ^ a;
    switch (a) { case 1..: break; case ..0: continue; default: return ::g(a); }
    foreach (mixed x in rest) a++, a--;
    return catch { a = new(class c, x: 1)->x; } || time_expression(a) / 2 % 3;
}
"#;
    let (tokens, diagnostics) = tokenize(src, FileId(0));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let shown: Vec<String> = tokens
        .iter()
        .map(|t| format!("{:?} {:?}", t.kind, &src[t.span.range()]))
        .collect();
    insta::assert_snapshot!(shown.join("\n"));
}
