// Turns itself into a command giver as soon as it is created.
void create() { enable_commands(); }
