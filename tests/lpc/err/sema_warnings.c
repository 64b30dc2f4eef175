// Warnings: unused locals, unreachable code, missing return values.
int f(int x) {
    int unused; //~ WARNING unused local variable
    if (x) {
        return 1;
        x++; //~ WARNING unreachable code
    }
    return; //~ WARNING should return a value
}

void g() {
    break; //~ ERROR outside a loop
}
