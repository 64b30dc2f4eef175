// getuid(), geteuid(), seteuid(), export_uid(), query_privs(),
// set_privs(), domain_stats(), author_stats() and set_author(), with the
// test master's creator_file(), privs_file(), domain_file(),
// author_file() and valid_seteuid().
#include "/check.h"

#define TOOL "/efuns/obj/u/alice/tool"
#define THING "/efuns/obj/thing"

string run() {
  string failures = "";
  object tool = load_object(TOOL), mine, theirs;
  mapping all;
  int objects;

  // creator_file() names the uid; the euid starts the same.
  CHECK(getuid() == "Root");
  CHECK(getuid(tool) == "alice");
  CHECK(geteuid(tool) == "alice");
  CHECK(geteuid((: 1 :)) == geteuid());
  // An object made by one with the same uid shares its euid.
  CHECK(seteuid("Shared"));
  mine = new(THING, "x");
  CHECK(getuid(mine) == "Root" && geteuid(mine) == "Shared");
  CHECK(seteuid(getuid()));
  // Made by alice's tool, a Root file is Root's with euid Root.
  theirs = tool->make(THING);
  CHECK(getuid(theirs) == "Root" && geteuid(theirs) == "Root");

  // seteuid() asks valid_seteuid(); 0 clears the euid.
  CHECK(tool->set_to("Bob") == 1 && geteuid(tool) == "Bob");
  CHECK(tool->set_to("Forbidden") == 0 && geteuid(tool) == "Bob");
  CHECK(tool->set_to(0) == 1 && geteuid(tool) == 0);
  CHECK(catch(tool->give(mine)) != 0);

  // export_uid() gives the caller's euid as uid to an object without euid.
  tool->set_to("alice");
  CHECK(tool->give(mine) == 0);
  seteuid(0);
  CHECK(geteuid() == 0);
  CHECK(catch(export_uid(mine)) != 0);
  // Without an euid no object can be made.
  CHECK(catch(new(THING, "y")) == "*Object must call seteuid() prior to calling clone_object().\n");
  CHECK(catch(load_object("/efuns/obj/inh0")) == "*Can't load objects when no effective user.\n"
        || find_object("/efuns/obj/inh0"));
  CHECK(seteuid("Root"));
  CHECK(tool->give(this_object()) == 0);
  tool->set_to(0);
  CHECK(export_uid(tool) == 1 && getuid(tool) == "Root");

  // Privileges from privs_file(), when the creator has a uid.
  CHECK(query_privs(mine) == "privs:Root");
  set_privs(mine, "wizard");
  CHECK(query_privs(mine) == "wizard");
  set_privs(mine, 0);
  CHECK(query_privs(mine) == 0);

  // Statistics per domain and author count live objects. A file of the
  // backbone's domain counts for its creator's domain: objects the
  // master loaded (it has none of its own) count as NONAME.
  all = domain_stats();
  CHECK(mapp(all) && mapp(all["users"]) && mapp(all["NONAME"]));
  CHECK(!all["base"]);
  objects = domain_stats("users")["objects"];
  destruct(theirs);
  CHECK(domain_stats("users")["objects"] == objects - 1);
  CHECK(domain_stats("nowhere") == 0);
  CHECK(author_stats("alice")["objects"] >= 1);
  objects = author_stats("Root")["objects"];
  set_author("carol");
  CHECK(author_stats("carol")["objects"] == 1);
  CHECK(author_stats("Root")["objects"] == objects - 1);
  CHECK(mapp(author_stats()["carol"]));
  destruct(mine);
  return failures;
}
