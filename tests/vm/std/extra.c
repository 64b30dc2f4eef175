// A second parent for the inheritance test.
int extra = 5;
string name() { return "extra"; }
int query_extra() { return extra; }
