// An object created from alice's directory: the master gives it her uid.
object make(string file) { return clone_object(file); }
int set_to(string id) { return seteuid(id); }
int give(object ob) { return export_uid(ob); }
