// Names: undefined, redeclared, void, classes.
#pragma no_warnings
class point {
    int x;
    int y;
}

class point { //~ ERROR already defined differently
    string name;
}

void x; //~ ERROR cannot have type void

class shape {
    void area; //~ ERROR cannot have type void
}

class missing nowhere; //~ ERROR undefined class

int twice() { return 1; }
int twice() { return 2; } //~ ERROR already defined

void takes_void(void v) {} //~ ERROR type void

void f(int a) {
    int a; //~ ERROR already declared
    int b;
    {
        int b; //~ ERROR already declared
    }
    {
        int c = 1;
    }
    {
        int c = 2;
        b = c;
    }
    void d; //~ ERROR type void
    class point p = new(class point, x: 1, z: 2); //~ ERROR no member
    p->z = 1; //~ ERROR no member
    new(class nothing); //~ ERROR undefined class
    b = undefined_thing; //~ ERROR undefined variable
    foreach (nope in ({ 1 })) { //~ ERROR not a local or a global
    }
}
