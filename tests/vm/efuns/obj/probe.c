// A probe for the miscellaneous efuns: globals read and written by name,
// a class, an event handler, destruct notification, light and clean_up().
class point {
  int x;
  int y;
}

int counter = 7;
private int secret = 11;
mixed last_event;
object event_from;
int light_given;
int no_bind;

void create(int light) {
  light_given = light;
  if (light) set_light(light);
}

int query_counter() { return counter; }

void event_ping(object from, mixed value) {
  event_from = from;
  last_event = value;
}

mixed query_event() { return last_event; }
object query_event_from() { return event_from; }

void notify(int on) { set_notify_destruct(on); }

// Tells the log object it is going away.
void on_destruct() {
  "/efuns/obj/log"->add("on_destruct " + file_name(this_object()));
}

int clean_up(int inherited) { return 1; }

// A closure that only uses its arguments and efuns: it may be rebound.
function adder() { return (: $1 + $2 :); }

// Closures that use this object's globals or functions: they may not.
function reader() { return (: counter :); }
function caller() { return (: query_counter() :); }

// Rebinds f to this object, so its efuns run here.
function take(function f) { return bind(f, this_object()); }

mixed run_fn(function f) { return evaluate(f); }

int move_to(object dest) {
  move_object(dest);
  return 1;
}

int add_light(int n) { return set_light(n); }

// The test master's valid_bind() refuses new owners that ask it to.
void refuse_bind(int on) { no_bind = on; }
int query_refuse_bind() { return no_bind; }
