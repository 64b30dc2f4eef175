// `#pragma strict_types` requires types.
#pragma strict_types

untyped_global; //~ ERROR requires a type

untyped_function() { //~ ERROR requires a return type
}

create() {
    // create() may leave its type out.
}
