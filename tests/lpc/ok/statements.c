int run(int n, mixed *arr, mapping m) {
    int total;
    if (n > 1) total = 1;
    else if (n < 0) { total = -1; }
    else total = 0;

    while (n-- > 0) {
        if (n == 5) continue;
        if (n == 2) break;
        total++;
    }
    do {
        total += 2;
    } while (total < 10);
    for (int i = 0; i < 10; i++, n--) total += i;
    for (;;) break;
    for (total = 0; total < 3; total++) ;
    foreach (mixed x in arr) total += x;
    foreach (string k, int v in m) total += v;
    foreach (int ref y in arr) y = 0;
    {
        int nested = total;
        total = nested;
    }
    int late = 3;
    return total + late;
}
