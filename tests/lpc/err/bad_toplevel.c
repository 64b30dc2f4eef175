int ok1;
int 5; //~ ERROR expected
int ok2;
