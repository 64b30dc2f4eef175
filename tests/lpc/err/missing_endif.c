#if 1 //~ ERROR
int x;
