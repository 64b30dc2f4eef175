// Called by the default_args test: defaults that name this_object().
object who(object o: (: this_object() :)) { return o; }
object me() { return this_object(); }
object local() { return who(); }
