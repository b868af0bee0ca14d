/* The article's network in plain C, as the speed reference `nnviz bench` is compared with:
 * the hot dogs (200 rows, 2 features), one sigmoid hidden layer of H units, a sigmoid output,
 * the summed cross-entropy, full-batch gradient descent at 0.01 for N iterations, N(0, 1)-like
 * starting weights. The same arithmetic as nnviz's engine (not its bits: libm's exp).
 *
 *   gcc -Ofast -march=native -o /tmp/reference scripts/reference.c -lm
 *   /tmp/reference ../shared/reference/hotdogs.csv 30 100000   # prints seconds and the loss
 *
 * Not built by CI; run beside `nnviz bench --only 'hidden 30'` in one session for a ratio. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXR 1000
static double X[MAXR][2], Y[MAXR];

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: reference hotdogs.csv HIDDEN ITERATIONS\n"); return 2; }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    int H = atoi(argv[2]);
    long iters = atol(argv[3]);
    char line[256];
    int n = 0;
    if (!fgets(line, sizeof line, f)) return 2;
    while (n < MAXR && fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2) continue;
        X[n][0] = atof(line); X[n][1] = atof(c1 + 1);
        Y[n] = strncmp(c2 + 1, "hot dog", 7) == 0;
        n++;
    }
    fclose(f);
    double *w1 = malloc(sizeof(double) * 3 * H), *w2 = malloc(sizeof(double) * (H + 1));
    double *g1 = malloc(sizeof(double) * 3 * H), *g2 = malloc(sizeof(double) * (H + 1));
    double *h = malloc(sizeof(double) * n * H), *p = malloc(sizeof(double) * n);
    srand(1);
    for (int i = 0; i < 3 * H; i++) w1[i] = ((double)rand() / RAND_MAX - 0.5) * 3.4;
    for (int i = 0; i < H + 1; i++) w2[i] = ((double)rand() / RAND_MAX - 0.5) * 3.4;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double loss = 0;
    for (long it = 0; it < iters; it++) {
        loss = 0;
        for (int s = 0; s < n; s++) {
            double z2 = w2[0];
            for (int j = 0; j < H; j++) {
                double z = w1[j] + X[s][0] * w1[H + j] + X[s][1] * w1[2 * H + j];
                double a = 1.0 / (1.0 + exp(-z));
                h[s * H + j] = a;
                z2 += a * w2[j + 1];
            }
            p[s] = 1.0 / (1.0 + exp(-z2));
            loss += fmax(z2, 0) + log1p(exp(-fabs(z2))) - Y[s] * z2;
        }
        memset(g1, 0, sizeof(double) * 3 * H);
        memset(g2, 0, sizeof(double) * (H + 1));
        for (int s = 0; s < n; s++) {
            double d = p[s] - Y[s];
            g2[0] += d;
            for (int j = 0; j < H; j++) {
                double a = h[s * H + j];
                g2[j + 1] += d * a;
                double dj = d * w2[j + 1] * a * (1 - a);
                g1[j] += dj;
                g1[H + j] += dj * X[s][0];
                g1[2 * H + j] += dj * X[s][1];
            }
        }
        for (int i = 0; i < 3 * H; i++) w1[i] -= 0.01 * g1[i];
        for (int i = 0; i < H + 1; i++) w2[i] -= 0.01 * g2[i];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    printf("hidden %d: %ld iterations in %.3f s (%.0f iterations/s), loss %.6f\n", H, iters, secs,
           iters / secs, loss);
    return 0;
}
