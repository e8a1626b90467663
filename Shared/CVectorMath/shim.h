#ifndef VOLTA_CVECTORMATH_H
#define VOLTA_CVECTORMATH_H

// glibc's vector math library (libmvec, glibc >= 2.35 for erfc) over arrays: four doubles per
// call with AVX2 where the CPU has it, else libm one at a time. The Swift quant kernels work in
// blocks and hand each transcendental step to these; libmvec's functions are within 4 ulp.

#include <math.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_exp(__m256d);
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_log(__m256d);
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_erfc(__m256d);
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_sin(__m256d);
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4v_cos(__m256d);
__attribute__((target("avx2,fma"))) __m256d _ZGVdN4vv_atan2(__m256d, __m256d);

/// 1 when the CPU and the OS give AVX2 and FMA (libmvec's "d" variants need both).
static inline int volta_vm_has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX) || !(c & bit_FMA)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) != 0;
}

#define VOLTA_VM_AVX2(name, vector, scalar)                                                     \
    static inline __attribute__((target("avx2,fma"))) void name##_avx2(const double *x, double *y, long n) { \
        long i = 0;                                                                             \
        for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, vector(_mm256_loadu_pd(x + i)));    \
        for (; i < n; i++) y[i] = scalar(x[i]);                                                 \
    }
VOLTA_VM_AVX2(volta_vm_exp, _ZGVdN4v_exp, exp)
VOLTA_VM_AVX2(volta_vm_log, _ZGVdN4v_log, log)
VOLTA_VM_AVX2(volta_vm_erfc, _ZGVdN4v_erfc, erfc)
VOLTA_VM_AVX2(volta_vm_sin, _ZGVdN4v_sin, sin)
VOLTA_VM_AVX2(volta_vm_cos, _ZGVdN4v_cos, cos)
#undef VOLTA_VM_AVX2

/// atan2(y, x) elementwise.
static inline __attribute__((target("avx2,fma"))) void volta_vm_atan2_avx2(const double *y, const double *x, double *z, long n) {
    long i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(z + i, _ZGVdN4vv_atan2(_mm256_loadu_pd(y + i), _mm256_loadu_pd(x + i)));
    for (; i < n; i++) z[i] = atan2(y[i], x[i]);
}
#else
static inline int volta_vm_has_avx2(void) { return 0; }
#endif

#define VOLTA_VM_SCALAR(name, scalar)                                                           \
    static inline void name##_scalar(const double *x, double *y, long n) {                      \
        for (long i = 0; i < n; i++) y[i] = scalar(x[i]);                                       \
    }
VOLTA_VM_SCALAR(volta_vm_exp, exp)
VOLTA_VM_SCALAR(volta_vm_log, log)
VOLTA_VM_SCALAR(volta_vm_erfc, erfc)
VOLTA_VM_SCALAR(volta_vm_sin, sin)
VOLTA_VM_SCALAR(volta_vm_cos, cos)
#undef VOLTA_VM_SCALAR

static inline void volta_vm_atan2_scalar(const double *y, const double *x, double *z, long n) {
    for (long i = 0; i < n; i++) z[i] = atan2(y[i], x[i]);
}

#endif
