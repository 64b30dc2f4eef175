// set_notify_destruct(): on_destruct() runs before the object goes, and
// the object goes even when on_destruct() errors.
#include "/check.h"

int heard;
object last;

void notified(object ob) {
  heard++;
  last = ob;
}

string run() {
  string failures = "";
  object ob = clone_object("/notify_helper");
  object seen = ob;

  ob->watch(this_object(), 0);
  destruct(ob);
  CHECK(heard == 1 && last == seen);
  CHECK(!ob);

  ob = clone_object("/notify_helper");
  ob->watch(this_object(), 1);
  catch(destruct(ob));
  CHECK(heard == 2);
  CHECK(!objectp(ob));

  ob = clone_object("/notify_helper");
  ob->watch(this_object(), 0);
  CHECK(query_notify_destruct(ob) == 1);
  CHECK(query_notify_destruct(this_object()) == 0);
  ob->quiet();
  CHECK(query_notify_destruct(ob) == 0);
  destruct(ob);
  CHECK(heard == 2);
  return failures;
}
