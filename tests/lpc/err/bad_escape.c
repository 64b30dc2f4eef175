string s = "bad \9 escape"; //~ ERROR octal
string t = "\q is kept"; //~ WARNING escape
