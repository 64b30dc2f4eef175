// Times the json_encode and json_decode efuns against an LPC JSON library
// on a payload like a saved player: nested mappings and arrays of ints,
// floats and strings, some of them not ASCII. run(path) takes the
// library's mudlib path; the library must define json_encode(mixed) and
// json_decode(string).

// How long each measurement runs, in nanoseconds.
#define WINDOW 2000000000

mapping item(int i) {
  return ([
    "id": 1000 + i,
    "name": "item number " + i,
    "short": "a plain wooden box (" + i + ")",
    "long": "It is a box made of oak, with \"carvings\" of dragons and a small brass lock.\n"
            + "Someone has scratched élève and ✓ into the lid.",
    "weight": 1.5 + i,
    "value": i * 37,
    "flags": ({ "container", "closable", i % 2 ? "locked" : "open" }),
    "properties": ([ "material": "oak", "quality": i % 5, "magic": i % 7 == 0 ]),
  ]);
}

mapping payload() {
  mixed *inventory = ({ });
  mapping skills = ([ ]);
  mixed *log = ({ });

  for (int i = 0; i < 40; i++) {
    inventory += ({ item(i) });
  }
  for (int i = 0; i < 30; i++) {
    skills["skill_" + i] = ([ "level": i * 3, "xp": i * 1234, "rate": 0.25 * i + 0.125 ]);
  }
  for (int i = 0; i < 50; i++) {
    log += ({ ({ 1700000000 + i * 60, "room_" + i, "said: hello, world! こんにちは" }) });
  }
  return ([
    "name": "alice",
    "title": "the Überwizard",
    "level": 42,
    "hp": ({ 120, 150 }),
    "position": ({ 12.5, -3.25, 0.5 }),
    "stats": ([ "str": 14, "dex": 17, "con": 12, "int": 18, "wis": 11, "cha": 9 ]),
    "skills": skills,
    "inventory": inventory,
    "log": log,
    "aliases": ([ "l": "look", "i": "inventory", "n": "north" ]),
  ]);
}

// Calls f(arg) until WINDOW has passed; ({ calls, nanoseconds }).
mixed *measure(function f, mixed arg) {
  int calls = 0;
  int start, now;

  // One call first, so that loading and first-call costs are not timed.
  evaluate(f, arg);
  start = perf_counter_ns();
  now = start;
  while (now - start < WINDOW) {
    evaluate(f, arg);
    calls++;
    now = perf_counter_ns();
  }
  return ({ calls, now - start });
}

// Calls per second, and the rate over `bytes` of JSON text, as text.
string rate(mixed *m, int bytes) {
  int per_second = m[0] * 1000000000 / m[1];
  int kib = m[0] * bytes / 1024 * 1000000000 / m[1];
  return sprintf("%8d calls/s %10d KiB/s", per_second, kib);
}

// Ratio a/b of two measurements' speeds, with two decimals.
string ratio(mixed *a, mixed *b) {
  // calls_a / ns_a over calls_b / ns_b, scaled by 100.
  int hundredths = a[0] * b[1] * 100 / (a[1] * b[0]);
  return sprintf("%d.%02d", hundredths / 100, hundredths % 100);
}

void report(string line) {
  debug_message(line);
}

void run(string library) {
  object lib = load_object(library);
  mapping data = payload();
  string text = json_encode(data);
  string lib_text = lib->json_encode(data);
  int bytes = strlen(text);
  mixed *efun_enc, *lib_enc, *efun_dec, *lib_dec;

  // Both sides must agree before they are timed.
  if (json_encode(json_decode(lib_text)) != text
      || json_encode(lib->json_decode(text)) != text) {
    error("the library and the efuns disagree on the payload");
  }
  report(sprintf("payload: %d bytes of JSON (the library writes %d)", bytes, strlen(lib_text)));
  efun_enc = measure((: json_encode($1) :), data);
  lib_enc = measure((: call_other($(lib), "json_encode", $1) :), data);
  efun_dec = measure((: json_decode($1) :), text);
  lib_dec = measure((: call_other($(lib), "json_decode", $1) :), text);
  report("json_encode efun:    " + rate(efun_enc, bytes));
  report("json_encode library: " + rate(lib_enc, bytes));
  report("json_decode efun:    " + rate(efun_dec, bytes));
  report("json_decode library: " + rate(lib_dec, bytes));
  report("encode: the efun is " + ratio(efun_enc, lib_enc) + " times as fast");
  report("decode: the efun is " + ratio(efun_dec, lib_dec) + " times as fast");
}
