void f() {
    else return; //~ ERROR expected
}
