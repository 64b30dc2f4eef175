// sprintf(): widths, justification, pad strings, `*`, `@`, column and
// table modes, numeric conversions and %O layouts.
#include "/check.h"

int helper(int x) { return x; }

class pair { int a; string b; }

string run() {
  string failures = "";
  mixed *self;
  class pair p = new(class pair, a: 1, b: "x");

  CHECK(sprintf("%s is %i", "X", 1) == "X is 1");
  CHECK(sprintf("%-10d|", 12345) == "12345     |");
  CHECK(sprintf("%|10s", "12345") == "   12345  ");
  CHECK(sprintf("%-|10s", "12345") == "  12345   ");
  CHECK(sprintf("%|10c", 65) == "     A    ");
  CHECK(sprintf("%-20'-'s", "left") == "left----------------");
  CHECK(sprintf("%20'-'|s", "center") == "-------center-------");
  CHECK(sprintf("%7'ab's", "x") == "abababx");
  CHECK(sprintf("%-*s|", 6, "ten") == "ten   |");
  CHECK(sprintf("%05d", 42) == "00042");
  CHECK(sprintf("%+d %+d", 5, -5) == "+5 -5");
  CHECK(sprintf("% d", 5) == " 5");
  CHECK(sprintf("%.2f", 1.2345) == "1.23");
  CHECK(sprintf("%10.6f", 0.123) == "  0.123000");
  CHECK(sprintf("%f", 123) == "123.000000");
  CHECK(sprintf("%d", 123.9) == "123");
  CHECK(sprintf("%d", -1.5) == "-2");
  CHECK(sprintf("%g", 100.0) == "100");
  CHECK(sprintf("%g", 0.0001) == "0.0001");
  CHECK(sprintf("%g", 1234567.0) == "1.23457e+06");
  CHECK(sprintf("%e", 1234.5) == "1.234500e+03");
  CHECK(sprintf("%o %x %X", 73, 169, 169) == "111 a9 A9");
  CHECK(sprintf("%x", -1) == "ffffffffffffffff");
  CHECK(sprintf("%b", 5) == "101");
  CHECK(sprintf("%.3d", 7) == "007");
  CHECK(sprintf("%.6s", "very long string") == "very l");
  CHECK(sprintf("%s", 0) == "0");
  CHECK(sprintf("%c", 27) == "\x1B");
  CHECK(sprintf("100%%") == "100%");
  CHECK(sprintf("%@-4d|", ({ 1, 2, 3 })) == "1   2   3   |");
  // The directive repeats for each element; the text after it follows once.
  CHECK(sprintf("%@s,", ({ "a", "b" })) == "ab,");
  // Colour codes take no width.
  CHECK(sprintf("%-6s|", "\e[31mab\e[0m") == "\e[31mab\e[0m    |");
  // Wide characters count two cells.
  CHECK(sprintf("%-5s|", "字") == "字   |");
  // Column mode wraps at word boundaries.
  CHECK(sprintf("%-=6s", "this is a very long sentence.")
        == "this\nis a\nvery\nlong\nsentence.");
  CHECK(sprintf("%30=s", "Mit indent sieht das so aus")
        == "   Mit indent sieht das so aus");
  CHECK(sprintf("%-=6s", "aaaaaabbb") == "aaaaaabbb");
  CHECK(sprintf("%-=10s %-=20s\n", "one\ntwo\nthree", "line1 \nline2 \nline3 ")
        == "one        line1\ntwo        line2\nthree      line3\n");
  CHECK(sprintf("%-=1s %-=2s\n", "11111\n2222\n333", "aaa\nbbb\ncccc")
        == "11111 aaa\n2222  bbb\n333   cccc\n");
  // Table mode.
  CHECK(sprintf("xxx%#-20.5s\n", "This\nis\na\ntest\nof\nsprintf\ntable\nmode\n")
        == "xxxThisa   of  tabl\n   is  testsprimode\n");
  CHECK(sprintf("xxx%#-'y'20.5s\n", "This\nis\na\ntest\nof\nsprintf\ntable\nmode\n")
        == "xxxThisayyyofyytablyyyy\n   isyytestsprimodeyyyy\n");
  CHECK(sprintf("%#-20s\n", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\no\n")
        == "a   d   g   j   o\nb   e   h   k   \nc   f   i   l   \n");

  // %O layouts.
  CHECK(sprintf("%O", 1) == "1");
  CHECK(sprintf("%O", 1.5) == "1.500000");
  CHECK(sprintf("%O", "foo") == "\"foo\"");
  CHECK(sprintf("%O", ({})) == "({ })");
  CHECK(sprintf("%O", ({ 1, 2 })) == "({ /* sizeof() == 2 */\n  1,\n  2\n})");
  CHECK(sprintf("%O", ([ 1: 2 ])) == "([ /* sizeof() == 1 */\n  1 : 2,\n])");
  CHECK(sprintf("%O", ([])) == "([ ])");
  CHECK(sprintf("%O", ({ ({ 1 }) }))
        == "({ /* sizeof() == 1 */\n  ({ /* sizeof() == 1 */\n    1\n  })\n})");
  CHECK(sprintf("%O", (: helper, 5 :)) == "(: helper, 5 :)");
  CHECK(sprintf("%O", (: $1 :)) == "(: <code>($1) :)");
  CHECK(sprintf("%O", (: sprintf :)) == "(: sprintf :)");
  CHECK(sprintf("%O", this_object()) == "/" + file_name(this_object())[1..]);
  CHECK(sprintf("%O", p) == "CLASS( 2 elements\n  1,\n  \"x\"\n )");
  CHECK(sprintf("%O", ([ "k": ({ 1 }) ]))
        == "([ /* sizeof() == 1 */\n  \"k\" : ({ /* sizeof() == 1 */\n      1\n    }),\n])");
  // A value containing itself stops at a fixed depth.
  self = ({ 1 });
  self[0] = self;
  CHECK(strsrch(sprintf("%O", self), "...") > 0);

  // Errors.
  CHECK(catch(sprintf("%d")) != 0);
  CHECK(catch(sprintf("%s", 5)) != 0);
  CHECK(catch(sprintf("%y", 1)) != 0);
  CHECK(catch(sprintf("%=s", "x")) != 0);
  CHECK(catch(sprintf("%@d", 1)) != 0);
  // Pad strings repeat, cut to fit at the end.
  CHECK(sprintf("%'ab'6s", "x") == "ababax");
  // An escape in a pad counts as FluffOS counts it: "x'" takes one cell
  // per copy when the field is measured.
  CHECK(sprintf("%'x\\''6s", "ab") == "x'x'x'x'ab");
  return failures;
}
