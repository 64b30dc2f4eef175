// A book in the library.
inherit "/std/item";

void setup() {
    set_short("a leather-bound book");
    set_long("The book's title reads 'A Short History of the Crossroads'. Its pages " +
        "are blank: the history has not been written yet.");
    set_ids(({"book", "leather-bound book"}));
}
