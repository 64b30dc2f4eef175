inherit "/ok/functions";

mixed calls(object ob, string fn) {
    mixed x;
    x = ob->query_name();
    x = ob->set("a", 1, 2);
    x = call_other(ob, "f");
    x = efun::sizeof(({ 1 }));
    x = ::prototype(1, "a");
    x = functions::prototype(1, "b");
    x = this_object()->query_name();
    x = catch(error("boom"));
    x = catch { x = 1; error("again"); };
    x = time_expression(x = 2);
    x = time_expression { x = 3; };
    return x;
}
