//! Writes a synthetic FluffOS mudlib of about `N` files (default 700) into a
//! directory, for benchmarking the language server on a realistic size:
//! `cargo run -p lpc-lsp --example gen_mudlib -- /tmp/synth-mudlib 700`.
#![allow(clippy::disallowed_methods)]

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path.trim_start_matches('/'));
    if let Some(parent) = full.parent() {
        fs::create_dir_all(parent).expect("can create directories");
    }
    fs::write(full, text).expect("can write files");
}

/// A function body that uses locals, efuns, inherited functions and macros.
fn body(out: &mut String, seed: usize) {
    let _ = writeln!(out, "    int i, total = {seed};");
    let _ = writeln!(out, "    string *names = ({{ \"a\", \"b\", \"c\" }});");
    let _ = writeln!(out, "    mapping seen = ([]);");
    let _ = writeln!(out, "    foreach (string name in names) {{");
    let _ = writeln!(out, "        seen[name] = strlen(name) + MAX_LEVEL;");
    let _ = writeln!(out, "        total += sizeof(explode(name, \",\"));");
    let _ = writeln!(out, "    }}");
    let _ = writeln!(out, "    for (i = 0; i < sizeof(names); i++) {{");
    let _ = writeln!(
        out,
        "        if (member_array(names[i], keys(seen)) == -1) continue;"
    );
    let _ = writeln!(out, "        total += i * {};", seed % 7 + 1);
    let _ = writeln!(out, "    }}");
    let _ = writeln!(
        out,
        "    if (this_player()) tell_object(this_player(), sprintf(\"%d\\n\", total));"
    );
    let _ = writeln!(out, "    return total;");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let root = args
        .next()
        .unwrap_or_else(|| "/tmp/synth-mudlib".to_string());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(700);
    let root = Path::new(&root);
    let _ = fs::remove_dir_all(root);

    write(
        root,
        "etc/config.synth",
        "name : Synth\nmudlib directory : .\ninclude directories : /include\nmaster file : /secure/master\nsimulated efun file : /secure/simul_efun\nglobal include file : <globals.h>\n",
    );
    write(
        root,
        "include/globals.h",
        "#ifndef GLOBALS_H\n#define GLOBALS_H\n#define MAX_LEVEL 50\n#define STD_OBJECT \"/std/object\"\n#define STD_ROOM \"/std/room\"\n#define STD_NPC \"/std/npc\"\n#define TELL(who, msg) tell_object(who, msg + \"\\n\")\n#endif\n",
    );
    write(
        root,
        "include/dirs.h",
        "#define DOMAINS \"/domains/\"\n#define CMDS \"/cmds/\"\n",
    );
    write(
        root,
        "secure/master.c",
        "object connect(int port) { return clone_object(\"/clone/user\"); }\nstring get_root_uid() { return \"Root\"; }\n",
    );
    write(
        root,
        "secure/simul_efun.c",
        "string capitalize_words(string s) {\n    return implode(map(explode(s, \" \"), (: capitalize :)), \" \");\n}\nint clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }\n",
    );
    write(
        root,
        "clone/user.c",
        "inherit STD_OBJECT;\nvoid logon() { write(\"Welcome!\\n\"); }\n",
    );
    let mut object =
        String::from("// The base of every object.\nstring short_desc, long_desc;\nint level;\n\n");
    object.push_str("/** Sets the short description. */\nvoid set_short(string s) { short_desc = s; }\nstring query_short() { return short_desc; }\nvoid set_long(string s) { long_desc = s; }\nstring query_long() { return long_desc; }\nvoid set_level(int l) { level = clamp(l, 0, MAX_LEVEL); }\nint query_level() { return level; }\n");
    write(root, "std/object.c", &object);
    write(
        root,
        "std/room.c",
        "inherit STD_OBJECT;\nmapping exits = ([]);\n\nvoid add_exit(string dir, string dest) { exits[dir] = dest; }\nstring query_exit(string dir) { return exits[dir]; }\nstring *query_exits() { return keys(exits); }\n",
    );
    write(
        root,
        "std/npc.c",
        "inherit STD_OBJECT;\nint hp = 100;\n\nvoid heal(int amount) { hp = clamp(hp + amount, 0, 100); }\nint query_hp() { return hp; }\n",
    );

    let mut written = 10;
    let mut n = 0;
    while written < count {
        let domain = n / 60;
        let kind = n % 3;
        let (path, base) = match kind {
            0 | 1 => (format!("domains/area{domain}/room{n}.c"), "STD_ROOM"),
            _ => (format!("domains/area{domain}/npc/npc{n}.c"), "STD_NPC"),
        };
        let mut text = format!("// Generated file {n}.\n#include <dirs.h>\ninherit {base};\n\n");
        let _ = writeln!(text, "int counter_{n};\nstring *visitors = ({{}});\n");
        for f in 0..6 {
            let _ = writeln!(
                text,
                "/** Helper {f} of file {n}. */\nint helper_{f}(int x, string label) {{"
            );
            body(&mut text, n + f);
            text.push_str("}\n\n");
        }
        let _ = writeln!(text, "void create() {{");
        let _ = writeln!(text, "    set_short(\"Place {n}\");");
        let _ = writeln!(
            text,
            "    set_long(capitalize_words(\"a generated place number {n}\"));"
        );
        if base == "STD_ROOM" {
            let _ = writeln!(
                text,
                "    add_exit(\"north\", DOMAINS \"area{domain}/room{}\");",
                n + 3
            );
        } else {
            let _ = writeln!(text, "    heal(helper_0({n}, \"x\"));");
        }
        let _ = writeln!(
            text,
            "    counter_{n} = helper_1(1, \"y\") + helper_2(2, \"z\");"
        );
        let _ = writeln!(text, "}}");
        write(root, &path, &text);
        written += 1;
        n += 1;
    }
    println!("wrote {written} files under {}", root.display());
}
