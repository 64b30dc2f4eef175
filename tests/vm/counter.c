// Cloned by the objects test.
int count;
object creator;

void create(int start) {
  count = start;
  creator = previous_object();
}
int bump() { return ++count; }
object query_creator() { return creator; }
protected int hidden() { return 1; }
