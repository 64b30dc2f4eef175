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
// Counts the driver's calls of virtual_start(), made once the object
// stands in as a virtual object.
int started;
void virtual_start() { started++; }
int query_started() { return started; }
