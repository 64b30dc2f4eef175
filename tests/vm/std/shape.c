// A class defined in an inherited file.
class point {
  int x;
  int y;
}
