string plain = "hello";
string escapes = "tab\there\nnewline \"quoted\" back\\slash \a\b\e\r";
string octal = "\101\102";
string hexes = "\x41\x42";
string unicode = "\u00e9 \ud83d\ude00 \U0001F600";
string joined = "one " "two " "three";
string continued = "first \
second";
int ch = 'a';
int newline = '\n';
int hexch = '\x41';
int octch = '\101';
int quote = '\'';
