string s = @@E
line
E; #define F(a) a##
F(()
`${ `${ }` 