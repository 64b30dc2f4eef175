// Inheritance: missing files, cycles, order, nomask, private.
inherit "/lib/base";
inherit "/lib/missing"; //~ ERROR cannot find the inherited file
inherit "/lib/loop_a"; //~ ERROR inherit cycle
inherit "/lib/base.lpc"; //~ ERROR cannot find the inherited file

int after;
inherit "/lib/base"; //~ ERROR inherit after global variables

int fixed() { return 2; } //~ ERROR nomask

int use() {
    secret(); //~ ERROR private
    base::nothing(); //~ ERROR no inherited function
    return shared() + base::shared() + ::shared();
}
