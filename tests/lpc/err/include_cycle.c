#include "/err/include_cycle.c" //~ ERROR
int x;
