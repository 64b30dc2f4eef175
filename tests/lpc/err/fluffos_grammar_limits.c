mixed f(mixed *a, int n) {
    mixed x = a[..2]; //~ ERROR expected
    return x;
}

void g() {
    for (int i = 0, j = 1; i < j; i++) ; //~ ERROR expected
}

int h(int n) {
    return +n; //~ ERROR expected
}
