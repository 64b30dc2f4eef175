// Cloned by the shadows test: shadows whatever object it is told to.
object victim;

object start(object ob) {
  victim = ob;
  return shadow(ob);
}
string name() { return "shadow:" + victim->name(); }
object who() { return this_object(); }
