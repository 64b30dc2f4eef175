int f() {
    int x = ; //~ ERROR expected
    x = 1;
    return x +; //~ ERROR expected
}
