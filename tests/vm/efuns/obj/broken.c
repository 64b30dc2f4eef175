// Does not compile: test_load() must report that as an error.
int f( { return 1; }
