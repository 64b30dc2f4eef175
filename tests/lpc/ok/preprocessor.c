#include <util.h>
#include "../include/inner.h"
#define GREETING "hi"
#define EMPTY
#define MULTI(a, b) \
    a + \
    b

#if defined(SQUARE) && INNER_VALUE == 42
int squared = SQUARE(3);
#elif 1
int never;
#else
"this text is never lexed
#endif

#ifdef GREETING
string g = GREETING EMPTY;
#endif

#ifndef UNDEFINED_THING
int m = MAX(1, 2) + MULTI(3, 4);
#endif

#if (1 << 4) == 16 && !0 && (5 % 3 == 2) && (-1 < 0) && (2 ? 1 : 0) && 'a' == 97
string s = STR(some words);
int GLUE(var, iable) = 1;
#endif

#undef GREETING
#ifdef GREETING
#error GREETING should be gone
#endif

#if __LINE__ == 37
string file = __FILE__;
string dir = __DIR__;
#endif

#ifdef __PACKAGE_CORE__
int has_core = 1;
#endif

#if defined(FLUFFOS) && defined(MUDOS) && SIZEOFINT == 8
int modern = 1;
#endif

#pragma strict_types
#pragma save_types
#pragma no_warnings
#pragma warnings
#line 100
int after_line = __LINE__;
