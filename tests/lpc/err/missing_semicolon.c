int f() {
    int a = 1
    return a; //~ ERROR expected
}

int g() {
    return 2;
}
