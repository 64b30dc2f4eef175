int a = 1;
int b = 3 \ 4; //~ ERROR illegal character
