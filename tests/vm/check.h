// CHECK(cond) records a failure with its line; run() returns them all.
#define CHECK(c) if (!(c)) failures += sprintf("line %d: %s; ", __LINE__, #c)
