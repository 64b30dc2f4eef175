// Typed functions are type checked; initializers always are.
#pragma no_warnings
int global_bad = "text"; //~ ERROR type mismatch

void returns_value() {
    return 1; //~ ERROR cannot return a value
}

int returns_string() {
    return "text"; //~ ERROR return type mismatch
}

int takes_int(int n) { return n; }

int typed() {
    int n;
    string *words = ({ "a" });
    string s = 5; //~ ERROR type mismatch
    n = "text"; //~ ERROR bad assignment
    n = words["key"]; //~ ERROR array index must be an int
    n = ({ 1, 2 })[5]; //~ ERROR outside the array constant
    takes_int("text"); //~ ERROR argument 1 of `takes_int`
    takes_int(({ 1 })...); //~ ERROR variable number of arguments
    takes_int(); //~ ERROR at least 1
    n = strlen(5); //~ ERROR bad argument 1 to `strlen`
    n = strlen(); //~ ERROR too few arguments
    n = strlen("a", "b"); //~ ERROR too many arguments
    later(); //~ ERROR before it is declared
    nothing_at_all(); //~ ERROR undefined function
    efun::no_such_efun(); //~ ERROR unknown efun
    return n;
}

int later() { return 1; }

untyped() {
    // Untyped code is not type checked, and unknown functions are allowed.
    int n;
    n = "text";
    nothing_at_all();
    return n;
}
