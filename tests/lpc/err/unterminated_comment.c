int a;
/* never closed //~ ERROR end of file in a comment
int b;
