// The resolver of the GraphQL test endpoint: Type_field(args, parent)
// resolves field "field" of type "Type"; other fields come from the
// parent mapping.
mapping players = ([
  "ann": ([ "name": "ann", "level": 5, "kind": "ELF" ]),
  "bob": ([ "name": "bob", "level": 2, "kind": "HUMAN", "title": "the brave" ]),
]);

mixed Query_player(mapping args, mixed parent) {
  return players[args["name"]];
}

mixed *Query_players(mapping args, mixed parent) {
  return map(sort_array(keys(players), 1), (: players[$1] :));
}

int Query_count(mapping args, mixed parent) {
  return sizeof(players);
}

string Query_broken(mapping args, mixed parent) {
  error("no luck today");
}

int Query_online(mapping args, mixed parent) {
  return 1;
}

mapping Mutation_addPlayer(mapping args, mixed parent) {
  mapping input = args["input"];
  mapping player = ([ "name": input["name"], "level": input["level"] ]);
  players[input["name"]] = player;
  return player;
}

mixed *Player_friends(mapping args, mapping parent) {
  return filter(values(players), (: $1["name"] != $(parent["name"]) :));
}
