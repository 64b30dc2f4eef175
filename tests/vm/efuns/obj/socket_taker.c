// Offered a socket through socket_release(): takes it with
// socket_acquire() when told to, else declines. Remembers the offer.
int take, offered_fd, acquired;
object offered_by;

void set_take(int t) { take = t; }
void rcb(int fd, mixed message) { }

void released(int fd, object from) {
  offered_fd = fd;
  offered_by = from;
  if (take) acquired = socket_acquire(fd, "rcb", "rcb", "rcb");
}

mixed *query_offer() { return ({ offered_fd, offered_by, acquired }); }
int try_acquire(int fd) { return socket_acquire(fd, "rcb", 0, 0); }
int try_close(int fd) { return socket_close(fd); }
