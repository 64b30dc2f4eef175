// parse_command(): literal, optional and alternative words, %o %i %l %s
// %w %p %d, with the objects' and the test master's name lists.
#include "/check.h"

#define ITEM "/efuns/obj/item"

string run() {
  string failures = "";
  object room = new("/efuns/obj/thing", "room");
  object sword1 = new(ITEM, ({ "sword", "blade" }), 0, ({ "sharp", "long" }));
  object sword2 = new(ITEM, ({ "sword" }), 0, ({ "rusty" }));
  object rose = new(ITEM, ({ "rose" }), ({ "roses" }), ({ "red" }));
  object bag = new(ITEM, ({ "bag" }), 0, ({ "leather" }));
  object guard = new(ITEM, ({ "guard" }), 0, ({ }));
  object ob;
  mixed who;
  mixed items, where;
  string text, word;
  int n;
  string *preps = ({ "on", "under" });

  sword1->go(room);
  sword2->go(room);
  rose->go(room);
  bag->go(room);
  guard->go(room);
  guard->live("bob");

  // %o: the first object (the room, then its contents, latest first).
  CHECK(parse_command("get sword", room, "'get' %o", ob) == 1 && ob == sword2);
  CHECK(parse_command("get sharp sword", room, "'get' %o", ob) && ob == sword1);
  CHECK(parse_command("get long sharp blade", room, "'get' %o", ob) && ob == sword1);
  CHECK(parse_command("get sword", ({ sword1 }), "'get' %o", ob) && ob == sword1);
  ob = 0;
  CHECK(parse_command("get rusty blade", room, "'get' %o", ob) == 0 && ob == 0);
  CHECK(parse_command("get nothing", room, "'get' %o", ob) == 0);
  // Words left over fail the match.
  CHECK(parse_command("get bag now", room, "'get' %o", ob) == 0);

  // %i: a numeral (0 for all and plurals, n for "n", -n for "nth") and
  // every object described.
  CHECK(parse_command("get all swords", room, "'get' %i", items));
  CHECK(sizeof(items) == 3 && items[0] == 0 && items[1] == sword2 && items[2] == sword1);
  CHECK(parse_command("get sword", room, "'get' %i", items));
  CHECK(items[0] == 1 && sizeof(items) == 3);
  CHECK(parse_command("get swords", room, "'get' %i", items) && items[0] == 0);
  CHECK(parse_command("get second sword", room, "'get' %i", items) && items[0] == -2);
  CHECK(parse_command("get two roses", room, "'get' %i", items));
  CHECK(sizeof(items) == 2 && items[0] == 2 && items[1] == rose);
  CHECK(parse_command("get red things", room, "'get' %i", items) && items[0] == 0);
  CHECK(sizeof(items) == 2 && items[1] == rose);

  // %l: living objects by their names, else by living name.
  CHECK(parse_command("give red rose to guard", room, "'give' %o 'to' %l", ob, who));
  CHECK(ob == rose && arrayp(who) && sizeof(who) == 2 && who[1] == guard);
  CHECK(parse_command("tell bob hi there", room, "'tell' %l %s", who, text));
  CHECK(who == guard && text == "hi there");
  CHECK(parse_command("tell bag hi", room, "'tell' %l %s", who, text) == 0);

  // %s takes the words up to what follows it; %w one word; %d a number.
  CHECK(parse_command("say hi there to bag", room, "'say' %s 'to' %o", text, ob));
  CHECK(text == "hi there" && ob == bag);
  CHECK(parse_command("drop 12 coins", room, "'drop' %d %w", n, word) && n == 12 && word == "coins");
  CHECK(parse_command("drop twentythree coins", room, "'drop' %d %w", n, word) && n == 23);
  CHECK(parse_command("drop third coin", room, "'drop' %d %w", n, word) && n == -3);
  CHECK(parse_command("drop all coins", room, "'drop' %d %w", n, word) && n == 0);

  // %p: a preposition of the master's list, or of the target's array,
  // which gets the match swapped to its front.
  CHECK(parse_command("put rose in bag", room, "'put' %o %p %o", ob, where, who));
  CHECK(ob == rose && where == "in" && who == bag);
  CHECK(parse_command("take rose out of bag", room, "'take' %o %p %o", ob, where, who));
  CHECK(where == "out of");
  CHECK(parse_command("hide under bag", room, "'hide' %p %o", preps, ob));
  CHECK(preps[0] == "under" && preps[1] == "on" && ob == bag);
  CHECK(parse_command("hide in bag", room, "'hide' %p %o", preps, ob) == 0);

  // Alternatives and optional words.
  CHECK(parse_command("take bag", room, "'get' / 'take' %o", ob) && ob == bag);
  CHECK(parse_command("look at bag", room, "'look' [at] %o", ob) && ob == bag);
  CHECK(parse_command("look bag", room, "'look' [at] %o", ob) && ob == bag);
  CHECK(parse_command("", room, "'look'") == 0);
  CHECK(catch(parse_command("x", 1, "'x'")) != 0);

  destruct(room);
  return failures;
}
