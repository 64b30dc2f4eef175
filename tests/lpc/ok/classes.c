class point {
    int x, y;
    string label;
}

struct pair {
    mixed first;
    mixed second;
}

class point origin;
class point *points = ({ });

class point make(int x, int y) {
    class point p = new(class point);
    p->x = x;
    p.y = y;
    return p;
}

int sum() {
    class point p = new(class point, x: 1, y: 2, label: "a");
    class pair q = new(struct pair, first: p, second: 0);
    return p->x + p.y + ((class point)q->first)->x;
}
