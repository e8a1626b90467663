#ifndef VOLTA_CVECTORMATH_H
#define VOLTA_CVECTORMATH_H

// glibc's vector math library (libmvec, glibc >= 2.35 for erfc and atan) over arrays: four
// doubles per call with AVX2 where the CPU and OS have it, else libm one at a time. The Swift
// quant kernels work in blocks and hand each transcendental step to these; libmvec's functions
// are within 4 ulp. No two-argument function: clang at -O0 passes _ZGVdN4vv_atan2's arguments
// so that it computes atan2(x, y) (seen with glibc 2.36), so atan2 is built on atan in Swift.

#include <math.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define VOLTA_VM_TARGET __attribute__((target("avx2,fma")))
VOLTA_VM_TARGET __m256d _ZGVdN4v_exp(__m256d);
VOLTA_VM_TARGET __m256d _ZGVdN4v_log(__m256d);
VOLTA_VM_TARGET __m256d _ZGVdN4v_erfc(__m256d);
VOLTA_VM_TARGET __m256d _ZGVdN4v_sin(__m256d);
VOLTA_VM_TARGET __m256d _ZGVdN4v_cos(__m256d);
VOLTA_VM_TARGET __m256d _ZGVdN4v_atan(__m256d);

/// 1 when the CPU and the OS give AVX2 and FMA (libmvec's "d" variants need both).
static inline int volta_vm_detect_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX) || !(c & bit_FMA)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) != 0;
}

/// The detection, once (a relaxed atomic: every thread computes the same answer).
static inline int volta_vm_has_avx2(void) {
    static int cached = -1;
    int known = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (known < 0) {
        known = volta_vm_detect_avx2();
        __atomic_store_n(&cached, known, __ATOMIC_RELAXED);
    }
    return known;
}

#define VOLTA_VM_UNARY(name, vector, scalar)                                                     \
    static inline VOLTA_VM_TARGET void name##_avx2(const double *x, double *y, long n) {        \
        long i = 0;                                                                             \
        for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, vector(_mm256_loadu_pd(x + i)));    \
        for (; i < n; i++) y[i] = scalar(x[i]);                                                 \
    }                                                                                           \
    static inline void name(const double *x, double *y, long n) {                               \
        if (volta_vm_has_avx2()) { name##_avx2(x, y, n); return; }                              \
        for (long i = 0; i < n; i++) y[i] = scalar(x[i]);                                       \
    }

#else
#define VOLTA_VM_UNARY(name, vector, scalar)                                                     \
    static inline void name(const double *x, double *y, long n) {                               \
        for (long i = 0; i < n; i++) y[i] = scalar(x[i]);                                       \
    }
#endif

VOLTA_VM_UNARY(volta_vm_exp, _ZGVdN4v_exp, exp)
VOLTA_VM_UNARY(volta_vm_log, _ZGVdN4v_log, log)
VOLTA_VM_UNARY(volta_vm_erfc, _ZGVdN4v_erfc, erfc)
VOLTA_VM_UNARY(volta_vm_sin, _ZGVdN4v_sin, sin)
VOLTA_VM_UNARY(volta_vm_cos, _ZGVdN4v_cos, cos)
VOLTA_VM_UNARY(volta_vm_atan, _ZGVdN4v_atan, atan)

#undef VOLTA_VM_UNARY
#endif
