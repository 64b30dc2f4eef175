#define BASE "/ok/"
inherit "/ok/numbers";
private inherit BASE "strings";
inherit "/ok/templates" ;

string call() {
    return ::greet("x", 1) + templates::greet("y", 2);
}
