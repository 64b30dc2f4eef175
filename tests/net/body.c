// The body a user moves into with exec(): it answers every line itself.
void process_input(string line) {
  write("BODY HEARD " + line + "\n");
}
