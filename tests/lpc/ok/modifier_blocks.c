private:
int hidden_a;
void hidden_f() { }

public:
int shown;
string shown_f() { return ""; }

nosave protected:
int transient;
