// json_encode and json_decode: values both ways, errors, limits.
#include "/check.h"

string failures = "";

// The error text of encoding v, or 0 when it encodes.
mixed encode_error(mixed v) {
  return catch(json_encode(v));
}

mixed decode_error(string text) {
  return catch(json_decode(text));
}

string nested_arrays(int depth) {
  string open = "", close = "";
  for (int i = 0; i < depth; i++) {
    open += "[";
    close += "]";
  }
  return open + close;
}

void test_encode() {
  mixed *self_array = ({ 1 });
  mapping self_map = ([ ]);
  mixed *shared = ({ 1, 2 });
  mixed deep = 1;
  mixed err;

  CHECK(json_encode(0) == "0");
  CHECK(json_encode(42) == "42");
  CHECK(json_encode(-7) == "-7");
  CHECK(json_encode(MAX_INT) == "9223372036854775807");
  CHECK(json_encode(-MAX_INT - 1) == "-9223372036854775808");
  CHECK(json_encode(1.5) == "1.5");
  CHECK(json_encode(-0.25) == "-0.25");
  CHECK(json_encode(3.0) == "3.0");
  CHECK(json_encode("plain") == "\"plain\"");
  CHECK(json_encode("q\"b\\n\nt\t") == "\"q\\\"b\\\\n\\nt\\t\"");
  CHECK(json_encode("\x01") == "\"\\u0001\"");
  CHECK(json_encode("héllo ✓") == "\"héllo ✓\"");
  CHECK(json_encode(({ })) == "[]");
  CHECK(json_encode(([ ])) == "{}");
  CHECK(json_encode(({ 1, "two", 3.5, ({ }) })) == "[1,\"two\",3.5,[]]");
  // Keys come out sorted, so the text does not depend on the table's order.
  CHECK(json_encode(([ "b": 2, "a": 1, "c": ({ 0 }) ])) == "{\"a\":1,\"b\":2,\"c\":[0]}");
  // A missing value is null; a zero is a number.
  CHECK(json_encode(([ "x": 1 ])["missing"]) == "null");
  CHECK(json_encode(({ ([ ])["gone"], 0 })) == "[null,0]");

  CHECK(json_encode(({ 1, ([ "a": ({ }) ]) }), 1) == "[\n  1,\n  {\n    \"a\": []\n  }\n]");
  CHECK(json_encode(({ 1, 2 }), 0) == "[1,2]");

  // The same array twice is no cycle.
  CHECK(json_encode(({ shared, shared })) == "[[1,2],[1,2]]");

  self_array[0] = self_array;
  err = encode_error(self_array);
  CHECK(stringp(err) && strsrch(err, "json_encode: the value contains itself (a cycle)") >= 0);
  self_map["me"] = ({ self_map });
  err = encode_error(self_map);
  CHECK(stringp(err) && strsrch(err, "cycle") >= 0);

  err = encode_error(([ 1: "one" ]));
  CHECK(stringp(err) && strsrch(err, "json_encode: a mapping key is of type int; JSON keys are strings") >= 0);
  err = encode_error(({ this_object() }));
  CHECK(stringp(err) && strsrch(err, "json_encode: cannot encode a value of type object") >= 0);
  err = encode_error(([ "f": (: 1 :) ]));
  CHECK(stringp(err) && strsrch(err, "json_encode: cannot encode a value of type function") >= 0);
  err = encode_error(allocate_buffer(2));
  CHECK(stringp(err) && strsrch(err, "type buffer") >= 0);

  for (int i = 0; i < 100; i++) deep = ({ deep });
  CHECK(!encode_error(deep));
  deep = ({ deep });
  err = encode_error(deep);
  CHECK(stringp(err) && strsrch(err, "json_encode: arrays and mappings nest deeper than 100 levels") >= 0);
}

void test_decode() {
  mixed v;
  mixed err;

  CHECK(json_decode("0") == 0);
  CHECK(intp(json_decode("0")));
  CHECK(json_decode(" -12 ") == -12);
  CHECK(json_decode("9223372036854775807") == MAX_INT);
  CHECK(json_decode("-9223372036854775808") == -MAX_INT - 1);
  // Past the int range a number keeps its size as a float.
  CHECK(floatp(json_decode("9223372036854775808")));
  CHECK(json_decode("18446744073709551615") > 1.8e19);
  CHECK(floatp(json_decode("123456789012345678901234567890")));
  CHECK(json_decode("1.5") == 1.5);
  CHECK(floatp(json_decode("2.0")));
  CHECK(json_decode("1e3") == 1000.0);
  CHECK(json_decode("-2.5E-1") == -0.25);
  CHECK(json_decode("true") == 1);
  CHECK(json_decode("false") == 0);
  CHECK(json_decode("null") == 0);
  CHECK(undefinedp(json_decode("null")));
  CHECK(!undefinedp(json_decode("0")));
  CHECK(json_decode("\"a\\\"b\\\\c\\/d\\n\"") == "a\"b\\c/d\n");
  CHECK(json_decode("\"\\u00e9\\u2713\"") == "é✓");
  CHECK(json_decode("\"\\ud83d\\ude00\"") == "😀");
  CHECK(json_decode("\"héllo\"") == "héllo");

  v = json_decode("[1, \"two\", [3.5, null], {}]");
  CHECK(arrayp(v) && sizeof(v) == 4);
  CHECK(v[0] == 1 && v[1] == "two");
  CHECK(arrayp(v[2]) && v[2][0] == 3.5 && undefinedp(v[2][1]));
  CHECK(mapp(v[3]) && sizeof(v[3]) == 0);

  v = json_decode("{\"name\": \"alice\", \"level\": 3, \"tags\": [\"a\"], \"k\": 1, \"k\": 2}");
  CHECK(mapp(v) && sizeof(v) == 4);
  CHECK(v["name"] == "alice" && v["level"] == 3);
  CHECK(v["tags"][0] == "a");
  // A repeated key keeps its last value.
  CHECK(v["k"] == 2);

  // Round trips.
  v = ([ "list": ({ 1, 2.5, "x", ([ "deep": ({ }) ]) }), "n": -1 ]);
  CHECK(json_encode(json_decode(json_encode(v))) == json_encode(v));
  CHECK(json_encode(json_decode(json_encode(v, 1))) == json_encode(v));

  err = decode_error("");
  CHECK(stringp(err) && strsrch(err, "json_decode: EOF while parsing a value at line 1 column 0") >= 0);
  err = decode_error("[1, 2");
  CHECK(stringp(err) && strsrch(err, "json_decode:") >= 0);
  err = decode_error("{\"a\" 1}");
  CHECK(stringp(err) && strsrch(err, "expected `:`") >= 0);
  err = decode_error("[1] x");
  CHECK(stringp(err) && strsrch(err, "trailing characters at line 1 column 5") >= 0);
  err = decode_error("{1: 2}");
  CHECK(stringp(err) && strsrch(err, "key must be a string") >= 0);
  err = decode_error("nul");
  CHECK(stringp(err));
  err = decode_error("'single'");
  CHECK(stringp(err));
  err = decode_error("[1,]");
  CHECK(stringp(err));
  // Numbers too large for a float, lone surrogates and bad escapes are errors.
  err = decode_error("1e400");
  CHECK(stringp(err) && strsrch(err, "number out of range") >= 0);
  err = decode_error("\"\\ud800\"");
  CHECK(stringp(err) && strsrch(err, "json_decode:") >= 0);
  err = decode_error("\"\\udc00x\"");
  CHECK(stringp(err) && strsrch(err, "json_decode:") >= 0);
  err = decode_error("\"\\u12\"");
  CHECK(stringp(err) && strsrch(err, "json_decode:") >= 0);
  err = decode_error("\"\\q\"");
  CHECK(stringp(err) && strsrch(err, "invalid escape") >= 0);
  err = decode_error("\"raw\ncontrol\"");
  CHECK(stringp(err) && strsrch(err, "control character") >= 0);

  // Nesting: 100 levels decode, 101 and far more are errors, not crashes.
  CHECK(arrayp(json_decode(nested_arrays(100))));
  err = decode_error(nested_arrays(101));
  CHECK(stringp(err) && strsrch(err, "json_decode: arrays and objects nest deeper than 100 levels") >= 0);
  err = decode_error(nested_arrays(20000));
  CHECK(stringp(err) && strsrch(err, "nest deeper") >= 0);
  err = decode_error(nested_arrays(5000)[0..4999]);
  CHECK(stringp(err));

  v = 5;
  err = catch(json_decode(v));
  CHECK(stringp(err) && strsrch(err, "Bad argument 1 to json_decode()") >= 0);
}

string run() {
  test_encode();
  test_decode();
  return failures;
}
