/* The Benchmarks Game's mandelbrot, single-threaded C, counting the points
   of the set like the Clef version. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int size = argc > 1 ? atoi(argv[1]) : 4000, count = 0;
    for (int y = 0; y < size; y++) {
        double ci = 2.0 * y / size - 1.0;
        for (int x = 0; x < size; x++) {
            double cr = 2.0 * x / size - 1.5, zr = 0, zi = 0;
            int i = 0;
            while (i < 50 && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                i++;
            }
            if (zr * zr + zi * zi <= 4.0) count++;
        }
    }
    printf("%d\n", count);
    return 0;
}
