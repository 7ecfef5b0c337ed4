/* bench_util.h: what the benchmarks measure besides wall time: CPU time and peak memory. */
#ifndef KBS_BENCH_UTIL_H
#define KBS_BENCH_UTIL_H

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/resource.h>
#endif

/* Peak resident memory in MB (-1 on Windows: not measured). */
static inline double bench_peak_rss_mb(void)
{
#ifdef _WIN32
    return -1.0;
#else
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KB on Linux */
#endif
}

/* CPU time of this process: on a shared machine wall time says little. */
static inline double bench_cpu_ms(void)
{
#ifdef _WIN32
    FILETIME c, e, k, u;
    ULARGE_INTEGER a, b;
    GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u);
    a.LowPart = k.dwLowDateTime, a.HighPart = k.dwHighDateTime;
    b.LowPart = u.dwLowDateTime, b.HighPart = u.dwHighDateTime;
    return (double)(a.QuadPart + b.QuadPart) / 10000.0;
#else
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
#endif
}

#endif
