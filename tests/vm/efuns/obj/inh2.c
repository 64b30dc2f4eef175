// Top of the inherit chain: inherits inh1, which inherits inh0.
inherit "/efuns/obj/inh1";
int top_var, other_var;
int top_fun() { return 3; }
int base_fun() { return 10; }
private int secret() { return 4; }
