// Bottom of a small inherit chain used by the introspection tests.
int base_var;
int base_fun() { return 1; }
protected int guarded() { return 2; }
