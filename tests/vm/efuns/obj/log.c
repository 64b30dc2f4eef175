// Collects lines from test objects, so tests can check what ran and when.
string *lines = ({});

void add(string line) { lines += ({ line }); }

string *take() {
  string *out = lines;
  lines = ({});
  return out;
}
