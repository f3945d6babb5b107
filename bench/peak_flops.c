/* Peak float32 FLOP/s of this CPU: T threads each running independent chains of 256-bit FMAs (12 accumulators, more
 * than FMA latency × pipes, so the FMA units never wait). Built and run by bench/tfjs.mjs:
 *   gcc -O3 -mavx2 -mfma -pthread bench/peak_flops.c -o peak && ./peak THREADS
 * Prints FLOP/s for all threads together. (AVX-512 would double this on Intel server cores, not on AMD Zen 4, which
 * runs 512-bit FMAs on its two 256-bit pipes.) */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ITERS 200000000L
static float sink[8];

static void *work(void *arg) {
  (void)arg;
  __m256 a[12], m = _mm256_set1_ps(0.9999999f), c = _mm256_set1_ps(1e-7f);
  for (int k = 0; k < 12; k++) a[k] = _mm256_set1_ps((float)k);
  for (long i = 0; i < ITERS / 12; i++)
    for (int k = 0; k < 12; k++) a[k] = _mm256_fmadd_ps(a[k], m, c);
  __m256 s = a[0];
  for (int k = 1; k < 12; k++) s = _mm256_add_ps(s, a[k]);
  _mm256_storeu_ps(sink, s);
  return NULL;
}

int main(int argc, char **argv) {
  int t = argc > 1 ? atoi(argv[1]) : 1;
  pthread_t th[64];
  double best = 0;
  for (int rep = 0; rep < 3; rep++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < t; i++) pthread_create(&th[i], NULL, work, NULL);
    for (int i = 0; i < t; i++) pthread_join(th[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    double f = (double)t * (ITERS / 12) * 12 * 8 * 2 / s;
    if (f > best) best = f;
  }
  printf("%.0f\n", best);
  return sink[0] == 12345.f;
}
