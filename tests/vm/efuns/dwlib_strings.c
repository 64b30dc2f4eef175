// add_a(), vowel(), replace(), replace_html(), replace_mxp(), replace_dollars().
#include "/check.h"

string run() {
  string failures = "";
  CHECK(add_a("apple") == "an apple");
  CHECK(add_a("sword") == "a sword");
  CHECK(add_a("  hour") == "an hour");
  CHECK(add_a("user") == "a user");
  CHECK(add_a("usher") == "an usher");
  CHECK(add_a("an egg") == "an egg");
  CHECK(add_a("   ") == "a ");
  CHECK(vowel('a') && vowel('E') && !vowel('b'));
  CHECK(replace("zero", "z", "h") == "hero");
  CHECK(replace("ab", ({ "a", "c", "b", "d" })) == "cd");
  CHECK(replace("ab", ({ "a", "b", "b", "c" })) == "cc");
  CHECK(catch(replace("ab", ({ "a" }))) != 0);
  CHECK(replace_html("<b>&\"</b>") == "&lt;b&gt;&amp;&quot;&lt;/b&gt;");
  CHECK(replace_mxp("a<b\nc\"") == "a&lt;b\e[4z<BR>c\"");
  CHECK(replace_dollars("hi $name!", ({ "$name", "bob" })) == "hi bob!");
  CHECK(replace_dollars("$a meets $b", ({ "$a", "bob", "$b", "alice" })) == "bob meets alice");
  CHECK(replace_dollars("no marker $x", ({ "$y", "z" })) == "no marker $x");
  CHECK(catch(replace_dollars("x", ({ "$a" }))) != 0);
  return failures;
}
