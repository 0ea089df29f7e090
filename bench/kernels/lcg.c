/* Integer kernel: see lcg.clef. uint64_t gives the wrapping int64
 * arithmetic of the Clef version; the result is printed as a signed value. */
#include <stdint.h>
#include <stdio.h>

static int64_t run(int steps) {
    uint64_t x = 88172645463325252ULL;
    uint64_t sum = 0;
    for (int i = 0; i < steps; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t hi = (x >> 33) & 0x7FFFFFFFULL;
        sum = sum + hi * hi * 3 + hi * 7 + (x ^ sum);
    }
    return (int64_t)sum;
}

int main(void) {
    printf("%lld\n", (long long)run(200000000));
    return 0;
}
