// Base class for the inheritance test.
int level = 1;
int base_hits;

int query_level() { return level; }
string name() { return "base"; }
string describe() { return "I am " + name(); }
void hit() { base_hits++; }
int query_base_hits() { return base_hits; }
