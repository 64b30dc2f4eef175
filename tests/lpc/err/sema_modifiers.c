// Modifiers: one access level at a time.
public:
int a;
nomask private:
int b;
private public: //~ ERROR multiple access modifiers
int c;

private public int d; //~ ERROR multiple access modifiers

void f() {
    mapping m = ([]);
    m?.key = 1; //~ ERROR optional chaining
    nobody::shared(); //~ ERROR no inherited program
}
