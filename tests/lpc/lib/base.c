// A parent program for the inheritance tests in err/ and ok/.
nomask int fixed() { return 1; }
private int secret() { return 2; }
int shared() { return 3; }
protected string label = "base";
