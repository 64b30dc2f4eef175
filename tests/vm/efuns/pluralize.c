// pluralize(): rules, irregular words, articles and "X of Y".
#include "/check.h"

string run() {
  string failures = "";
  CHECK(pluralize("sword") == "swords");
  CHECK(pluralize("box") == "boxes");
  CHECK(pluralize("wolf") == "wolves");
  CHECK(pluralize("knife") == "knives");
  CHECK(pluralize("child") == "children");
  CHECK(pluralize("red sword") == "red swords");
  CHECK(pluralize("a sword") == "swords");
  CHECK(pluralize("an apple") == "apples");
  CHECK(pluralize("bluff") == "bluffs");
  CHECK(pluralize("staff") == "staves");
  CHECK(pluralize("thesis") == "theses");
  CHECK(pluralize("penis") == "penises");
  CHECK(pluralize("cactus") == "cacti");
  CHECK(pluralize("fly") == "flies");
  CHECK(pluralize("day") == "days");
  CHECK(pluralize("sheep") == "sheep");
  CHECK(pluralize("mouse") == "mice");
  CHECK(pluralize("foreman") == "foremen");
  CHECK(pluralize("church") == "churches");
  CHECK(pluralize("potato") == "potatoes");
  CHECK(pluralize("pair of boots") == "pairs of boots");
  CHECK(pluralize("") == 0);
  return failures;
}
