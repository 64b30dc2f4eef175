// Clones of this are made in bulk.
int n;
