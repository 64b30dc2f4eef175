#frobnicate //~ ERROR
int x;
