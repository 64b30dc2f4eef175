int prototype(int x, string y);
varargs void optional(int a, int b);
private int helper();

int prototype(int x, string y) {
    return x + strlen(y);
}

varargs void optional(int a, int b) { }

private int helper() { return 1; }
protected string prot() { return ""; }
public nomask int locked() { return 2; }
nomask private void both() { }
varargs int defaults(int x, int y: (: 10 :), string z: (: "z" :)) {
    return x + y + strlen(z);
}
int rest(string fmt, mixed *args...) {
    return sizeof(args);
}
void refs(int ref a, string &b) {
    a = 1;
    b = "changed";
}
void call() {
    int n = 0;
    string s = "";
    mixed *list = ({ 1, 2 });
    refs(ref n, ref s);
    rest("x", list...);
    rest("x", 1, 2, 3);
    defaults(1);
}
