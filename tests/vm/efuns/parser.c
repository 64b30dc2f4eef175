// The parser package: rules with OBJ, OBS, LIV, STR, WRD and prepositions,
// names with adjectives, plurals, ordinals and "all", the apply forms
// tried, the error codes and messages, synonyms and parse_my_rules().
#include "/check.h"

#define OBJ "/efuns/obj/parser_"

string run() {
  string failures = "";
  object verb = new(OBJ "verb");
  object room = new(OBJ "room");
  object player = new(OBJ "player");
  object sword1 = new(OBJ "item", "long sword", ({ "sword", "blade" }), ({ "swords" }), ({ "sharp", "long" }));
  object sword2 = new(OBJ "item", "rusty sword", ({ "sword" }), ({ "swords" }), ({ "rusty" }));
  object bag = new(OBJ "item", "bag", ({ "bag" }), ({ "bags" }), ({ "leather" }));
  object box = new(OBJ "item", "box", ({ "box" }), ({ "boxes" }), ({ }));
  object guard = new(OBJ "item", "guard", ({ "guard" }), ({ "guards" }), ({ "big" }));
  object coin = new(OBJ "item", "coin", ({ "coin" }), ({ "coins" }), ({ "gold" }));
  object outside = new(OBJ "item", "rock", ({ "rock" }), ({ "rocks" }), ({ }));
  mixed r, *c;
  string dump;

  player->go(room);
  sword1->go(room);
  sword2->go(room);
  bag->go(room);
  box->go(room);
  guard->go(room);
  coin->go(bag);
  guard->set_living(1);
  bag->set_open(1);

  // Rule errors.
  CHECK(catch(verb->add("get", "FOO")) == "*Unknown token 'FOO'\n");
  CHECK(catch(verb->add("get", "OBJ OBJ OBJ")) == "*Only two object tokens allowed per rule.\n");
  CHECK(catch(verb->add("get", "OBS OBS")) == "*Only one plural token allowed per rule.\n");
  CHECK(catch(verb->add("get", "STR:v")) == "*Illegal to have modifiers to 'STR'\n");
  CHECK(catch(verb->add("get", "OBJ:x")) == "*Unknown modifier 'x'\n");
  CHECK(catch(parse_add_rule("get", "OBJ")) == "*/efuns/parser is not known by the parser.  Call parse_init() first.\n");

  verb->add("get", "OBS");
  verb->add("get", "OBJ under OBJ");
  verb->add("put", "OBJ in OBJ");
  verb->add("give", "LIV OBJ");
  verb->add("say", "STR");
  verb->add("look", "WRD");
  verb->add("look", "in OBJ:v");
  verb->add("jump", "on STR");
  verb->add("poke", "OBJ");

  dump = parse_dump();
  CHECK(strsrch(dump, "Verb get:\n  (" + file_name(verb) + ") OBJ under OBJ\n  (" + file_name(verb) + ") OBS\n") >= 0);
  CHECK(strsrch(dump, ") in OBJ\n") >= 0);

  // STR takes the rest of the input as typed; WRD one word.
  CHECK(player->cmd("say Hello  There!") == 1);
  c = verb->take();
  CHECK(sizeof(c) == 1 && c[0][0] == "say" && c[0][1] == "Hello  There!" && c[0][2] == "Hello  There!");
  CHECK(player->cmd("look up") == 1);
  CHECK(verb->take()[0][1] == "up");
  // A preposition, then an object that need only be visible.
  CHECK(player->cmd("look in coin") == 1);
  CHECK(verb->take()[0][1] == coin);

  // OBS with one object: the first of its name (the latest arrived).
  CHECK(player->cmd("get sword") == 1);
  c = verb->take();
  CHECK(c[0][0] == "get_obj" && c[0][1] == sword2 && c[0][2] == "sword");
  CHECK(player->cmd("get the second sword") == 1);
  CHECK(verb->take()[0][1] == sword1);
  CHECK(player->cmd("get 2nd sword") == 1);
  CHECK(verb->take()[0][1] == sword1);
  CHECK(player->cmd("get sharp sword") == 1);
  CHECK(verb->take()[0][1] == sword1);
  CHECK(player->cmd("get Long Blade") == 1);
  c = verb->take();
  CHECK(c[0][1] == sword1 && c[0][2] == "Long Blade");
  // Plurals and "all" give arrays.
  CHECK(player->cmd("get swords") == 1);
  c = verb->take();
  CHECK(c[0][0] == "get_obs" && sizeof(c[0][1]) == 2 && member_array(sword1, c[0][1]) >= 0 && member_array(sword2, c[0][1]) >= 0);
  CHECK(player->cmd("get all") == 1);
  c = verb->take();
  CHECK(c[0][0] == "get_obs" && sizeof(c[0][1]) == 6 && member_array(coin, c[0][1]) >= 0);
  CHECK(player->cmd("get all of the swords") == 1);
  CHECK(sizeof(verb->take()[0][1]) == 2);

  // Two objects: the container must accept the indirect object.
  CHECK(player->cmd("put rusty sword in bag") == 1);
  c = verb->take();
  CHECK(c[0][0] == "put" && c[0][1] == sword2 && c[0][2] == bag && c[0][3] == "rusty sword" && c[0][4] == "bag");
  // LIV wants a living object.
  CHECK(player->cmd("give guard sword") == 1);
  c = verb->take();
  CHECK(c[0][0] == "give" && c[0][1] == guard && c[0][2] == sword2);

  // The general apply forms.
  CHECK(player->cmd("jump on the table") == 1);
  c = verb->take();
  CHECK(sizeof(c[0]) == 4 && c[0][1] == "on" && c[0][2] == "the table" && c[0][3] == "the table");
  CHECK(player->cmd("poke Box") == 1);
  c = verb->take();
  CHECK(c[0][0] == "verb_rule" && c[0][1] == "poke" && c[0][2] == "OBJ" && c[0][3] == box);
  CHECK(c[0][4] == "poke" && c[0][5] == "Box");

  // No verb: 0. A verb whose rules do not fit: -1. Errors go to the
  // master's parser_error_message(kind, object, ...).
  CHECK(player->cmd("dance") == 0);
  CHECK(player->cmd("say") == -1);
  r = player->cmd("get fish");
  CHECK(arrayp(r) && r[0] == 7 && r[2] == "fish");
  r = player->cmd("get third sword");
  CHECK(arrayp(r) && r[0] == 5 && r[2] == 2);
  r = player->cmd("give box sword");
  CHECK(arrayp(r) && r[0] == 2 && r[2] == "box" && r[3] == 0);
  r = player->cmd("get rock");
  CHECK(arrayp(r) && r[0] == 7 && r[2] == "rock");
  r = player->cmd("give all sword");
  CHECK(arrayp(r) && r[0] == 8);
  // A refusal by the handler: "You can't ..." as the rule read it.
  verb->set_can(0);
  r = player->cmd("get sword");
  CHECK(arrayp(r) && r[0] == 6 && r[2] == "You can't get that.\n");
  verb->set_can(1);
  // A refusal with a message by the object.
  sword2->set_answer("It is stuck.");
  r = player->cmd("get rusty sword");
  CHECK(arrayp(r) && r[0] == 6 && r[2] == "It is stuck.");
  sword2->set_answer(1);
  r = player->cmd("put sword in box");
  CHECK(arrayp(r) && r[0] == 6 && r[2] == "The box is closed.");
  CHECK(sizeof(verb->take()) == 0);

  // Names are cached until parse_refresh().
  box->rename(({ "crate" }));
  r = player->cmd("poke crate");
  CHECK(arrayp(r) && r[0] == 7);
  box->refresh();
  CHECK(player->cmd("poke crate") == 1);
  verb->take();

  // The caller's own object list, and nicknames.
  CHECK(player->cmd_in("poke rock", ({ outside })) == 1);
  CHECK(verb->take()[0][3] == outside);
  CHECK(player->cmd_nick("poke it", ([ "it" : bag ])) == 1);
  CHECK(verb->take()[0][3] == bag);

  // Synonyms, removal and parse_my_rules().
  verb->synonym("grab", "get", 0);
  CHECK(player->cmd("grab sword") == 1);
  CHECK(verb->take()[0][1] == sword2);
  CHECK(catch(verb->synonym("get", "get", 0)) == "*Verb cannot be a synonym for itself.\n");
  CHECK(catch(verb->synonym("x", "nothing", 0)) == "*nothing is not a verb!\n");
  CHECK(catch(verb->synonym("x", "get", "STR")) == "*No such rule defined.\n");
  verb->synonym("shout", "say", "STR");
  CHECK(player->cmd("shout hey") == 1);
  CHECK(verb->take()[0][1] == "hey");
  CHECK(strsrch(parse_dump(), "Verb grab (get):\n  Synonym for: get\n") >= 0);
  r = verb->mine(player, "poke bag", 0);
  CHECK(arrayp(r) && sizeof(r) == 5 && r[0] == "poke" && r[1] == "OBJ" && r[2] == bag && r[4] == "bag");
  CHECK(sizeof(verb->take()) == 0);
  CHECK(verb->mine(player, "poke bag", 1) == 1);
  CHECK(sizeof(verb->take()) == 1);
  // Removing a verb removes the rules its synonyms copied too.
  verb->remove("say");
  CHECK(player->cmd("say hi") == -1);
  CHECK(player->cmd("shout hi") == -1);
  CHECK(sizeof(verb->take()) == 0);

  destruct(verb);
  CHECK(player->cmd("poke bag") == -1);
  // Destructing the room takes what it holds with it: some are gone already.
  foreach (object ob in ({ room, player, sword1, sword2, bag, box, guard, coin, outside }))
    if (ob) destruct(ob);
  return failures;
}
