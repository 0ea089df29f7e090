/* Nested-loop integer kernel: see collatz.clef. */
#include <stdint.h>
#include <stdio.h>

static int steps(int64_t start) {
    int64_t n = start;
    int count = 0;
    while (n != 1) {
        if (n % 2 == 0) n = n / 2;
        else n = 3 * n + 1;
        count++;
    }
    return count;
}

int main(void) {
    int64_t total = 0;
    int best = 0, best_start = 0;
    for (int s = 1; s <= 2999999; s++) {
        int c = steps((int64_t)s);
        total += c;
        if (c > best) {
            best = c;
            best_start = s;
        }
    }
    printf("%lld %d %d\n", (long long)total, best, best_start);
    return 0;
}
