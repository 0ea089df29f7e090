/* Float kernel: see integrate.clef. */
#include <math.h>
#include <stdio.h>

static double f(double x) {
    return 4.0 / (1.0 + x * x) + 4.0 * sqrt(1.0 - x * x);
}

static double integrate(int n) {
    double h = 1.0 / (double)n;
    double sum = 0.0;
    for (int i = 0; i <= n - 1; i++) {
        double x = ((double)i + 0.5) * h;
        sum = sum + f(x);
    }
    return sum * h;
}

int main(void) {
    printf("%.12f\n", integrate(100000000));
    return 0;
}
