string greet(string name, int n) {
    string simple = `no interpolation`;
    string one = `Hello, ${name}!`;
    string many = `${name} has ${n} ${n == 1 ? "apple" : "apples"}`;
    string nested = `outer ${ `inner ${name}` } done`;
    string braces = `sum: ${ ({ 1, 2 })[0] + ([ "a": 1 ])["a"] }`;
    return simple + one + many + nested + braces;
}
