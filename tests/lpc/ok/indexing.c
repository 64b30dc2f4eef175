mixed idx(mixed *a, string s, mapping m) {
    mixed x;
    x = a[0];
    x = a[<1];
    x = a[1..2];
    x = a[<2..3];
    x = a[1..<2];
    x = a[<3..<1];
    x = a[1..];
    x = a[<2..];
    x = a[..<3];
    x = a[..<2];
    x = s[0];
    x = m["k"];
    x = a[0][1];
    a[0] = 1;
    a[0..1] = ({ 2, 3 });
    m["k"] += 1;
    return x;
}
