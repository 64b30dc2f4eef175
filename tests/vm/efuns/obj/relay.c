// Calls a function of another object, so the callee has one more object
// before it among the previous objects.
mixed relay(object ob, string fn) { return call_other(ob, fn); }
mixed relay_value(function f) { return evaluate(f); }
