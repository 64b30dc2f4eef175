// terminal_colour(): %^KEY%^ codes, wrapping, fill-out and indent.
#include "/check.h"

string run() {
  string failures = "";
  mapping codes = ([ "RED": "<r>", "RESET": "<0>" ]);
  string r;
  string *lines;
  CHECK(terminal_colour("%^RED%^hot%^RESET%^", codes) == "<r>hot<0>");
  CHECK(terminal_colour("plain", codes) == "plain");
  CHECK(terminal_colour("%^BLUE%^x", codes) == "BLUEx");
  CHECK(terminal_colour("%^RED%^%^RED%^", codes) == "<r><r>");
  CHECK(terminal_colour("aaaa bbbb", codes, 6) == "aaaa<0>\nbbbb");
  // Fill-out pads the wrapped line to the width.
  CHECK(terminal_colour("aaaa bbbb", codes, -6) == "aaaa<0> \nbbbb");
  // Indent starts each wrapped line.
  CHECK(terminal_colour("aaaa bbbb", codes, 6, 2) == "aaaa<0>\n  bbbb");
  // The colour in force carries over to the next line.
  CHECK(terminal_colour("%^RED%^aaaa bbbb", codes, 6) == "<r>aaaa<0>\n<r>bbbb");
  r = terminal_colour("字字字字字字字字字字字字", codes, 10);
  lines = explode(r, "\n");
  CHECK(sizeof(lines) == 3);
  CHECK(lines[0] == "字字字字字<0>");
  CHECK(lines[2] == "字字");
  return failures;
}
