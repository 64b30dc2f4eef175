int add(int a, int b) { return a + b; }

mixed fps(object ob, int local) {
    function f;
    f = (: add :);
    f = (: add, 1 :);
    f = (: add, 1, 2 :);
    f = (: call_other, ob, "query_name" :);
    f = (: $1 + $2 :);
    f = (: $1 + $(local) :);
    f = (: write :);
    f = (: ({ $1, $2 }) :);
    f = function(int x, int y) { return x * y + $(local); };
    f = function() { return 1; };
    evaluate(f, 1, 2);
    return (*f)(1, 2);
}
