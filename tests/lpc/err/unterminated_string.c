int a;
string s = "no end; //~ ERROR end of file in a string
