// shadow(): calls to a shadowed object reach its shadow first; the shadow
// passes calls on by calling the object itself.
#include "/check.h"

string name() { return "base"; }
object who() { return this_object(); }
int only_here() { return 7; }
nomask int fixed() { return 1; }

string run() {
  string failures = "";
  object s1, s2, victim;

  victim = clone_object("/shadows");
  CHECK(shadow(victim, 0) == 0);
  CHECK(query_shadowing(victim) == 0);
  CHECK(catch(shadow(this_object())));
  CHECK(catch(shadow(master())));

  s1 = clone_object("/shadow_helper");
  CHECK(s1->start(victim) == victim);
  CHECK(shadow(victim, 0) == s1);
  CHECK(query_shadowing(s1) == victim);
  // The shadow answers first and can still reach the object it shadows.
  CHECK(victim->name() == "shadow:base");
  CHECK(victim->who() == s1);
  CHECK(call_other(victim, "who") == s1);
  // A function the shadow lacks still runs in the object.
  CHECK(victim->only_here() == 7);
  // A shadow cannot shadow twice, and nothing shadows a shadow.
  CHECK(catch(s1->start(victim)));
  s2 = clone_object("/shadow_helper");
  CHECK(catch(s2->start(s1)));

  // A second shadow goes on top of the chain.
  CHECK(s2->start(victim) == s1);
  CHECK(victim->name() == "shadow:shadow:base");
  CHECK(victim->who() == s2);

  // Taking the outer shadow out leaves the inner one in place.
  CHECK(remove_shadow(s2) == 1);
  CHECK(query_shadowing(s2) == 0);
  CHECK(victim->who() == s1);
  CHECK(remove_shadow(s2) == 0);

  // Destructing a shadow unlinks it.
  destruct(s1);
  CHECK(shadow(victim, 0) == 0);
  CHECK(victim->who() == victim);

  // Destructing the shadowed object destructs its shadows.
  s1 = clone_object("/shadow_helper");
  s1->start(victim);
  destruct(victim);
  CHECK(!s1);
  if (s2) destruct(s2);

  // A shadow may not define a function the victim declares nomask.
  victim = clone_object("/shadows");
  CHECK(catch(call_other(clone_object("/shadow_masker"), "start", victim)));
  destruct(victim);
  return failures;
}
