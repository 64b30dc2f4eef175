// A simul_efun object for simul_float.c: one function returns a float,
// one an int.
float third(int n) { return n / 3.0; }
int twice(int n) { return n * 2; }
