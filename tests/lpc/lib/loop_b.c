// The other half of the inherit cycle.
inherit "/lib/loop_a";
