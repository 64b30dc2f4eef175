#include "nowhere.h" //~ ERROR
int x;
