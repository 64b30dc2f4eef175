// Function values: $N, locals in (: :), anonymous functions.
int g;

void f(int x) {
    function fp;
    fp = (: x :); //~ ERROR cannot be used in (: :)
    fp = (: x + 1 :); //~ ERROR cannot be used inside (: :)
    fp = (: $(x) + $1 :);
    fp = (: g :);
    fp = (: $256 :); //~ ERROR $1 to $255
    fp = function() { return $1; }; //~ ERROR inside an anonymous function
    fp = function() { return x; }; //~ ERROR undefined variable
    fp = function() { return $(x); };
    fp = int(int y) { return y; }; //~ ERROR must be declared `function`
    fp = (: no_such_function :); //~ WARNING unknown function
    x = $1; //~ ERROR only be used inside (: :)
}
