// The pcre package: matching, extraction, replacement and flags.
#include "/check.h"

#define PCRE_I (1 << 16)
#define PCRE_M (1 << 17)

int same(mixed *a, mixed *b) {
  if (sizeof(a) != sizeof(b)) return 0;
  for (int i = 0; i < sizeof(a); i++) {
    if (arrayp(a[i])) { if (!same(a[i], b[i])) return 0; }
    else if (a[i] != b[i]) return 0;
  }
  return 1;
}

string label(string found, int i) { return sprintf("[%d:%s]", i, found); }
string wrap(string found, int i, string l, string r) { return l + found + r; }

string run() {
  string failures = "";
  mixed *x;
  CHECK(stringp(pcre_version()) && strlen(pcre_version()) > 0);
  CHECK(pcre_match("hello", "l+"));
  CHECK(!pcre_match("HELLO", "^hello$"));
  CHECK(pcre_match("HELLO", "^hello$", PCRE_I));
  CHECK(pcre_match("abcabc", "(abc)\\1"));
  CHECK(pcre_match("foobar", "foo(?=bar)"));
  CHECK(same(pcre_match(({ "foo", "bar", "baz" }), "^ba", 1), ({ "bar", 2, "baz", 3 })));
  CHECK(same(pcre_extract("alpha 99", "(\\w+) (\\d+)"), ({ "alpha", "99" })));
  x = pcre_extract("alpha 99", "(?<word>\\w+) (?<num>\\d+)", 1);
  CHECK(sizeof(x) == 3 && x[2]["word"] == "alpha" && x[2]["num"] == "99");
  CHECK(sizeof(pcre_extract("x", "(y)")) == 0);
  CHECK(same(pcre_match_all("a1b22", "([a-z])(\\d+)"),
             ({ ({ "a1", "a", "1" }), ({ "b22", "b", "22" }) })));
  CHECK(pcre_replace("hello world", "(world)", ({ "there" })) == "hello there");
  CHECK(pcre_replace("nomatch", "(x)", ({ "y" })) == "nomatch");
  CHECK(catch(pcre_replace("ab", "(a)(b)", ({ "x" }))) != 0);
  CHECK(pcre_replace_callback("foo-bar-baz", "(\\w+)-(\\w+)-(\\w+)", "label", this_object())
        == "[0:foo]-[1:bar]-[2:baz]");
  CHECK(pcre_replace_callback("foo-bar-baz", "(\\w+)-(\\w+)-(\\w+)",
                              (: sprintf("[%d:%s]", $2, $1) :))
        == "[0:foo]-[1:bar]-[2:baz]");
  CHECK(pcre_replace_callback("hello world", "(world)", "wrap", this_object(), "<", ">")
        == "hello <world>");
  CHECK(same(pcre_assoc("testhahatest", ({ "haha", "te" }), ({ 2, 3 }), 4),
             ({ ({ "", "te", "st", "haha", "", "te", "st" }),
                ({ 4, 3, 4, 2, 4, 3, 4 }) })));
  CHECK(catch(pcre_match("x", "(")) != 0);
  pcre_match("a", "cache_probe_[0-9]");
  pcre_match("b", "cache_probe_[0-9]");
  CHECK(pcre_cache()["cache_probe_[0-9]|0x0"] == 2);
  return failures;
}
