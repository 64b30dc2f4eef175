// Cloned by the shadows test: defines a function its victim declares nomask.
object start(object ob) { return shadow(ob); }
int fixed() { return 2; }
