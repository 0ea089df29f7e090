/* The Benchmarks Game's binary-trees, single-threaded, with malloc/free as
   the upstream C programs without a pool library do. */
#include <stdio.h>
#include <stdlib.h>

typedef struct node { struct node *l, *r; } node;

static node *make(int d) {
    node *n = malloc(sizeof *n);
    if (d == 0) { n->l = n->r = NULL; }
    else { n->l = make(d - 1); n->r = make(d - 1); }
    return n;
}

static int check(const node *n) {
    return n->l ? 1 + check(n->l) + check(n->r) : 1;
}

static void release(node *n) {
    if (n->l) { release(n->l); release(n->r); }
    free(n);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 18;
    int min_depth = 4, max_depth = min_depth + 2 > n ? min_depth + 2 : n;
    int stretch = max_depth + 1;
    node *t = make(stretch);
    printf("stretch tree of depth %d\t check: %d\n", stretch, check(t));
    release(t);
    node *long_lived = make(max_depth);
    for (int d = min_depth; d <= max_depth; d += 2) {
        int iterations = 1 << (max_depth - d + min_depth), sum = 0;
        for (int i = 1; i <= iterations; i++) {
            node *x = make(d);
            sum += check(x);
            release(x);
        }
        printf("%d\t trees of depth %d\t check: %d\n", iterations, d, sum);
    }
    printf("long lived tree of depth %d\t check: %d\n", max_depth, check(long_lived));
    return 0;
}
