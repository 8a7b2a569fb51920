/* Timing helpers shared by the benchmarks. */
#ifndef __BENCH_UTIL_H__
#define __BENCH_UTIL_H__

#include <stdlib.h>
#include <time.h>

/* CPU seconds of the whole process (all threads): on a shared machine the
 * wall time says how busy the neighbours were; this says what the work
 * cost. */
static inline double
cpu_seconds (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static inline int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

#endif
