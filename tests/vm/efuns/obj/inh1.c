// Middle of the inherit chain.
inherit "/efuns/obj/inh0";
int mid_var;
int mid_fun() { return 2; }
