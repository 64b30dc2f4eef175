// Semantic rules the driver accepts.
inherit "/lib/base";

class pair {
    int left;
    int right;
}

void takes(int a, int b: (: 2 :)) {}
varargs void many(int a, int b) {}
void rest(int a, mixed *more...) {}
string label_of() { return label; }

int uses_later();

int typed(object ob, string name, buffer buf) {
    class pair p = new(class pair, left: 1, right: 2);
    int *nums = ({ 1, 2, 3 });
    float f = 1;
    mixed m = ob || this_object();
    buffer b = "text";
    function fn = (: $1 + $(name) :);

    takes(1);
    many();
    rest(1, 2, 3);
    rest(nums...);
    f = f + nums[0];
    p->left = p->right;
    buf = "bytes";
    m = efun::this_object();
    switch (name) {
    case "a":
    case "b":
        break;
    default:
        break;
    }
    switch (nums[0]) {
    case 0..4:
    case 5..:
        break;
    }
    for (int i = 0; i < 3; i++) {
        if (i == 1) continue;
        f += i;
    }
    {
        int x = 1;
        f += x;
    }
    {
        int x = 2;
        f += x;
    }
    foreach (int n in nums) {
        f += n;
    }
    evaluate(fn, b);
    return uses_later() + shared() + ::shared() + base::fixed() + sizeof(p);
}

int uses_later() { return 0; }

int fixed_value() { return fixed(); }
