void f() {
    if (1) {
        write("x");
} //~ ERROR end of file
