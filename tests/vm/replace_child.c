// Fixture of the replace_program test: inherits /std/base and asks to keep
// only it.
inherit "/std/base";

int own = 3;

int child_only() { return own; }
mixed replace(string name) { return catch(replace_program(name)); }
void set_level(int n) { level = n; }
