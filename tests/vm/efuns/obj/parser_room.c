// A room for the parser tests: its contents can be seen and reached.
void create() { parse_init(); }
string *parse_command_id_list() { return ({ "room" }); }
int inventory_visible() { return 1; }
int inventory_accessible() { return 1; }
