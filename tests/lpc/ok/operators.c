mixed ops(int a, int b, mixed c, mapping m) {
    int r;
    r = a + b - a * b / (b || 1) % 7;
    r = a << 2 | b >> 1 & 3 ^ ~a;
    r = a < b && a <= b || a > b && a >= b;
    r = a == b != !c;
    r = -a + -b;
    r += 1; r -= 1; r *= 2; r /= 2; r %= 5;
    r &= 1; r |= 2; r ^= 3; r <<= 1; r >>= 1;
    c &&= 1; c ||= 2; c ??= 3;
    r = a ? b : a ? 1 : 2;
    c = c ?? m["x"] ?? 0;
    r = ++a + a++ - --b - b--;
    r = (int)c + (int)3.5;
    c = (string *)({ "a" }) + (mixed *)({ });
    c = m?.key;
    c = m?.["key"];
    c = m.?["key"];
    return r;
}
