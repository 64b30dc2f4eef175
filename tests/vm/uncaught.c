// An error no catch handles: the driver prints it with a trace.
int helper(int x) {
  return x / (x - x);
}

string run() {
  return "" + helper(3);
}
