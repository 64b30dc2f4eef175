// Destructs itself, then tries calls out: a destructed object's calls
// give undefined and reach nothing.
int reached;

int mark() { return ++reached; }

mixed *call_after_destruct(object other) {
  destruct(this_object());
  return ({ other->mark(), call_other(other, "mark") });
}
