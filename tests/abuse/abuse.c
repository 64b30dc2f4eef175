// Code that tries to take the driver down. Each attack ends within the
// configured limits: in an error, or, for the floods the limits allow, by
// finishing (each says so in the debug log).
int calls;

void loop() {
  while (1) ;
}

int recurse(int n) {
  return recurse(n + 1) + 1;
}

void deep() {
  recurse(0);
}

void string_doubling() {
  string s = "0123456789";
  while (1) s += s;
}

void array_doubling() {
  mixed *a = ({ 1, 2, 3 });
  while (1) a += a;
}

void mapping_growth() {
  mapping m = ([ ]);
  int i;
  while (1) m[i++] = i;
}

void buffer_doubling() {
  buffer b = allocate_buffer(16);
  while (1) b += b;
}

void huge_array() {
  mixed *a = allocate(1000000000);
}

void huge_buffer() {
  buffer b = allocate_buffer(1000000000);
}

// repeat_string() cuts its count to what the length limit allows.
void huge_repeat() {
  string s = repeat_string("ab", 1 << 40);
  debug_message("REPEATED " + strlen(s));
}

void tick() {
  if (++calls == 100000) debug_message("CALL_OUTS DONE " + calls);
}

void call_out_flood() {
  for (int i = 0; i < 100000; i++) call_out("tick", 0);
  debug_message("CALL_OUTS QUEUED");
}

void clone_flood() {
  for (int i = 0; i < 10000; i++) clone_object("/thing");
  debug_message("CLONED 10000");
}

void runaway_heart_beat() {
  clone_object("/runaway");
}

// Runs with LPC_DRIVER_TEST_PANIC_EFUN=upper_case, which makes that efun
// panic: caught, the panic is an ordinary LPC error; uncaught, it ends
// this command only.
void efun_panic() {
  debug_message("CAUGHT " + catch(upper_case("x")));
  upper_case("y");
}
