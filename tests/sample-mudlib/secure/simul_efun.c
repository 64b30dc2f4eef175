// Simulated efuns: functions every object can call as if the driver had them.

string pluralize(string word, int count: (: 2 :)) {
    if (count == 1) return word;
    switch (word[<1..<1]) {
    case "s":
    case "x":
        return word + "es";
    case "y":
        return word[0..<2] + "ies";
    default:
        return word + "s";
    }
}

string list_words(string *words) {
    int n = sizeof(words);
    if (!n) return "";
    if (n == 1) return words[0];
    return implode(words[0..<2], ", ") + " and " + words[<1];
}

int clamp(int value, int low, int high) {
    return value < low ? low : value > high ? high : value;
}
