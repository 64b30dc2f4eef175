#ifndef UTIL_H
#define UTIL_H
#define SQUARE(x) ((x) * (x))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define STR(x) #x
#define GLUE(a, b) a##b
#include "inner.h"
#endif
