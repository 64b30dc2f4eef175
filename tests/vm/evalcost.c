// The evaluation cost limit unwinds past catch.
int spin() {
  int i;
  while (1) i++;
  return i;
}

string run() {
  string err = catch(spin());
  return "the loop was caught: " + err;
}
