// Half of an inherit cycle: err/sema_inherit.c starts it.
inherit "/lib/loop_b";
