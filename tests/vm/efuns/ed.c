// The line editor. With `old ed : 0` (driver/tests/ed.rs runs this file
// so, with a master that has the editor's applies) ed_start(), ed_cmd()
// and query_ed_mode() are tested; in the default build ed() needs a user
// with a connection, so it only checks that nothing starts without one.
#include "/check.h"

string failures = "";

#ifdef __OLD_ED__
string run() {
  CHECK(!in_edit(this_object()));
  ed("/efuns/ed.c");
  CHECK(!in_edit(this_object()));
  return failures;
}
#else
// A clone of this object edits on its own for the emergency save check.
string start(string file) { return ed_start(file); }
string cmd(string line) { return ed_cmd(line); }

string run() {
  string out, err, file = "/ed_tmp/a.txt";
  object ob;
  mixed *log;

  CHECK(query_ed_mode() == -1);
  CHECK(!in_edit());
  err = catch(ed_cmd("p"));
  CHECK(err && strsrch(err, "no ed session active") >= 0);

  write_file(file, "one\ntwo\nthree", 1);
  CHECK(ed_start(file) == "[Incomplete last line]\n");
  CHECK(query_ed_mode() == 0);
  CHECK(in_edit() == file);
  CHECK(in_edit(this_object()) == file);
  err = catch(ed_start(file));
  CHECK(err && strsrch(err, "already started") >= 0);

  CHECK(ed_cmd("1,$p") == "one\ntwo\nthree\n");
  CHECK(ed_cmd("") == "End of file.\n");
  CHECK(ed_cmd("2c") == "");
  CHECK(query_ed_mode() == 2);
  CHECK(ed_cmd("TWO") == "");
  CHECK(query_ed_mode() == 3);
  CHECK(ed_cmd(".") == "");
  CHECK(query_ed_mode() == 0);
  CHECK(ed_cmd("g/o/s/o/0/g") == "");
  CHECK(ed_cmd(",p") == "0ne\nTWO\nthree\n");
  CHECK(ed_cmd("1,2s/(.)(.)/\\2\\1/p") == "n0e\nWTO\n");
  CHECK(ed_cmd("y") == "Unrecognized command.\n");
  CHECK(ed_cmd("1d") == "");
  CHECK(ed_cmd("u") == "");
  CHECK(ed_cmd("1p") == "n0e\n");
  CHECK(ed_cmd("q") == "To quit without saving: Q\nSave and quit: x\n");

  // Writes: the master checks each path with "ed_start" as the function.
  CHECK(ed_cmd("w") == "\"/ed_tmp/a.txt\" 3 lines 14 bytes\n");
  CHECK(read_file(file) == "n0e\nWTO\nthree\n");
  log = master()->query_ed_log();
  CHECK(sizeof(log) && log[<1][0] == "valid_write" && log[<1][1] == file);
  CHECK(sizeof(log) && log[<1][2] == this_object() && log[<1][3] == "ed_start");
  // A relative name goes through make_path_absolute.
  CHECK(ed_cmd("w rel.txt") == "\"/ed_tmp/rel.txt\" 3 lines 14 bytes\n");
  CHECK(file_size("/ed_tmp/rel.txt") == 14);
  CHECK(ed_cmd("w /ed_tmp/locked.txt") == "File command failed.\n");
  CHECK(file_size("/ed_tmp/locked.txt") == -1);

  // Settings saved with the master come back in the next session.
  CHECK(ed_cmd("set number") == "");
  CHECK(ed_cmd("set save") == "");
  CHECK(master()->query_ed_setup() == (0x80 | 0x10 | 4));
  CHECK(ed_cmd("x") == "\"/ed_tmp/a.txt\" 3 lines 14 bytes\nExit from ed.\n");
  CHECK(query_ed_mode() == -1);
  CHECK(!in_edit());
  CHECK(ed_start(file) == "");
  CHECK(ed_cmd("2p") == "  2  WTO\n");
  CHECK(ed_cmd("Q") == "Exit from ed.\n");

  // Without a file name.
  CHECK(ed_start() == "No file.\n");
  CHECK(in_edit() == "/");
  ed_cmd("a");
  ed_cmd("hello");
  ed_cmd(".");
  CHECK(ed_cmd("x") == "no file name\nFile command failed.\n");
  // Help waits for a key between pages.
  ed_cmd("h");
  CHECK(query_ed_mode() == -2);
  while (query_ed_mode() == -2) ed_cmd("");
  CHECK(ed_cmd("Q") == "Exit from ed.\n");

  // Restricted sessions keep to their file.
  CHECK(ed_start(file, 1) == "");
  CHECK(ed_cmd("e /ed_tmp/rel.txt") == "That command is restricted.\n");
  CHECK(ed_cmd("w /ed_tmp/other.txt") == "That command is restricted.\n");
  CHECK(ed_cmd("Q") == "Exit from ed.\n");

  // A session whose object is destructed is saved where the master says.
  ob = clone_object("/efuns/ed");
  ob->start(file);
  CHECK(ob->cmd("1d") == "");
  destruct(ob);
  CHECK(read_file("/ed_tmp/dead.save") == "WTO\nthree\n");
  log = master()->query_ed_log();
  CHECK(sizeof(log) && log[<1][0] == "get_save_file_name" && log[<1][1] == "ed_tmp/a.txt");
  return failures;
}
#endif
