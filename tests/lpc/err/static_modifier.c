static int x; //~ ERROR static
