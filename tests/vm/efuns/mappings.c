// keys(), values(), map_delete() and match_path().
#include "/check.h"

string run() {
  string failures = "";
  mapping m = ([ "a": 1, "b": 2, "c": 3 ]);
  mixed *k, *v;
  mapping paths = ([ "/": "root", "/d/": "domains", "/d/town/pub": "pub" ]);
  int i;

  k = keys(m);
  v = values(m);
  CHECK(sizeof(k) == 3 && sizeof(v) == 3);
  // Keys and values come in the same order.
  for (i = 0; i < 3; i++) CHECK(m[k[i]] == v[i]);
  CHECK(sprintf("%O", sort_array(k, 1)) == sprintf("%O", ({ "a", "b", "c" })));
  map_delete(m, "b");
  CHECK(sizeof(m) == 2 && undefinedp(m["b"]));
  map_delete(m, "zz");
  CHECK(sizeof(m) == 2);

  // The longest leading part of the path that is a key.
  CHECK(match_path(paths, "/d/town/pub") == "pub");
  CHECK(match_path(paths, "/d/town/inn") == "domains");
  CHECK(match_path(paths, "//d//town") == "domains");
  CHECK(match_path(paths, "/w/someone") == "root");
  CHECK(undefinedp(match_path(([ "x": 1 ]), "/y")));
  return failures;
}
