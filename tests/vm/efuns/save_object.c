// save_object, restore_object and restore_from_string: the .o format,
// nosave variables, the zero flag, gzip saves, and errors on bad text.
#include "/check.h"

#define SAVE "/save_object_scratch"

class point {
  int x;
  int y;
}

int count;
string name;
float ratio;
mixed *list;
mapping map;
nosave int transient = 7;

class point where;
mixed lost_value;
string lost_name;
int zero;

// Values the file has for variables this object lacks arrive here.
void restore_lost_variable(mixed value, string var) {
  lost_value = value;
  lost_name = var;
}

void fill() {
  count = 42;
  name = "a \"quoted\" \\ line\n";
  ratio = 1.5;
  list = ({ 1, "two", ({ 3 }), this_object() });
  map = ([ "k": -4 ]);
  where = new(class point, x: 3, y: -9);
  zero = 0;
}

string run() {
  string failures = "";
  string expected, text;

  rm(SAVE + ".o");
  rm(SAVE + ".o.gz");
  fill();
  expected = "#/efuns/save_object.c\n"
    + "count 42\n"
    + "name \"a \\\"quoted\\\" \\\\ line\r\"\n"
    + "ratio 1.500000\n"
    + "list ({1,\"two\",({3,}),,})\n"
    + "map ([\"k\":-4,])\n"
    + "where (/3,-9,/)\n";
  // Without a file name: the text itself.
  CHECK(save_object() == expected);
  CHECK(save_object(0) == expected);
  // Flag 1 writes zero values too.
  text = save_object(1);
  CHECK(text == expected + "lost_value 0\nlost_name 0\nzero 0\n");

  // The returned size counts 1, plus each line and 1.
  CHECK(save_object(SAVE) == 1 + strlen(expected) - 22 + 6);
  CHECK(read_file(SAVE + ".o") == expected);
  CHECK(file_size(SAVE + ".o.tmp") == -1);
  // Source extensions and .o are taken off the name first.
  CHECK(save_object(SAVE + ".c") > 0 && file_size(SAVE + ".c.o") == -1);
  CHECK(save_object(SAVE + ".o") > 0 && file_size(SAVE + ".o.o") == -1);

  // Restoring zeroes saved variables first, and leaves nosave ones.
  count = 0; name = 0; ratio = 0.0; list = 0; map = 0; where = 0;
  transient = 70; zero = 5;
  CHECK(restore_object(SAVE) == 1);
  CHECK(count == 42);
  CHECK(name == "a \"quoted\" \\ line\n");
  CHECK(ratio == 1.5);
  CHECK(sizeof(list) == 4 && list[1] == "two" && list[2][0] == 3 && list[3] == 0);
  CHECK(map["k"] == -4);
  CHECK(classp(where) && where->x == 3 && where->y == -9);
  CHECK(transient == 70);
  CHECK(zero == 0);

  // Flag 1 keeps variables the file does not mention.
  write_file(SAVE + ".o", "count 5\nnosuch \"gone\"\n", 1);
  zero = 9;
  CHECK(restore_object(SAVE, 1) == 1);
  CHECK(count == 5 && zero == 9 && name == "a \"quoted\" \\ line\n");
  CHECK(lost_name == "nosuch" && lost_value == "gone");
  // A nosave variable in the file is not restored.
  write_file(SAVE + ".o", "transient 1\n", 1);
  restore_object(SAVE);
  CHECK(transient == 70);
  CHECK(count == 0);

  // No save file, or an empty one: 0, and nothing changes.
  count = 3;
  rm(SAVE + ".o");
  CHECK(restore_object(SAVE) == 0);
  write_file(SAVE + ".o", "", 1);
  CHECK(restore_object(SAVE) == 0);
  CHECK(count == 3);

  // Bad text is an error that names the variable.
  write_file(SAVE + ".o", "count ({1,2\n", 1);
  CHECK(catch(restore_object(SAVE)) == "*restore_object(): Illegal array format while restoring count.\n");
  write_file(SAVE + ".o", "nospace\n", 1);
  CHECK(catch(restore_object(SAVE)) == "*restore_object(): Illegal file format - 1 (nospace).\n");
  write_file(SAVE + ".o", "count -x\n", 1);
  CHECK(catch(restore_object(SAVE)) != 0);

  // Flag 2 (or a .o.gz name) saves gzipped; restore prefers the .o.gz.
  fill();
  CHECK(save_object(SAVE, 2) > 0);
  CHECK(file_size(SAVE + ".o") == -1);
  CHECK(file_size(SAVE + ".o.gz") > 0);
  CHECK(read_file(SAVE + ".o.gz") == expected);
  count = 0;
  CHECK(restore_object(SAVE) == 1 && count == 42);
  count = 11;
  CHECK(save_object(SAVE) > 0);
  CHECK(file_size(SAVE + ".o.gz") == -1);
  count = 0;
  CHECK(restore_object(SAVE + ".o") == 1 && count == 11);
  CHECK(save_object(SAVE + ".o.gz") > 0 && file_size(SAVE + ".o.gz") > 0);
  rm(SAVE + ".o.gz");

  // Names leaving the mudlib are refused.
  CHECK(catch(save_object("/../escape")) != 0);
  CHECK(catch(restore_object("/../escape")) != 0);

  // restore_from_string reads the same text.
  restore_from_string("count 77\nname \"s\"\n");
  CHECK(count == 77 && name == "s" && ratio == 0);
  ratio = 2.0;
  restore_from_string("#comment\r\ncount 78\r\n", 1);
  CHECK(count == 78 && ratio == 2.0);
  return failures;
}
