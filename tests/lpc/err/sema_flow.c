// break, continue, switch labels, constant division.
void f(int x, string s) {
    int n;
    if (x) {
        break; //~ ERROR outside a loop
    }
    if (x) {
        continue; //~ ERROR outside a loop
    }
    while (x) {
        catch {
            break; //~ ERROR cannot break out of catch
        };
    }
    switch (x) {
    case 1:
        continue; //~ ERROR outside a loop
    case "text": //~ ERROR cannot mix integer and string
        break;
    }
    switch (x) {
    case 1..5:
        break;
    case 4..8: //~ ERROR overlapping case ranges
        break;
    case 10:
        break;
    case 10: //~ WARNING duplicate case label
        break;
    default:
        break;
    default: //~ ERROR duplicate default
        break;
    }
    switch (s) {
    case "a".."b": //~ ERROR cannot be range bounds
        break;
    }
    n = 1 / 0; //~ ERROR division by zero
    n = 1 % 0; //~ ERROR modulo by zero
    n = x / 0;
}
