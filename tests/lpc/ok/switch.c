string kind(int n) {
    switch (n) {
    case 0:
        return "zero";
    case 1..9:
        return "small";
    case 10..:
        return "big";
    case ..-1:
        return "negative";
    }
    return "none";
}

int word(string s) {
    switch (s) {
    case "a":
    case "b":
        return 1;
    case "c": {
        int x = 2;
        return x;
    }
    default:
        break;
    }
    return 0;
}
