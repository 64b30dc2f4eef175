mixed *arr = ({ });
mixed *arr2 = ({ 1, 2, 3, });
mapping empty = ([ ]);
mapping m = ([ "a": ({ 1 }), 2: ([ "x": "y" ]), ]);
mixed *nested = ({ ({ ({ }) }) });
int neg = -5;
float negf = -2.5;
