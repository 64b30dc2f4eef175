// Gives whoever meets it through init() the verb "frob".
void init() { add_action("frob", "frob"); }
int frob(string arg) { return 1; }
void move_to(object where) { move_object(where); }
