// OpenBLAS as Debian 12 ships it (0.3.21, built for every x86 CPU and choosing its kernels when it loads) does not
// know AMD's AVX-512 CPUs (Zen 4, Zen 5): it runs its Haswell kernels there, at about half the single-precision GEMM
// rate of its SkylakeX kernels on the same CPU (94 against 172 GFLOP/s for the vision tower's 197 × 768 × 768 product
// on a Zen 5 core). When the process starts, this file makes OpenBLAS choose again with OPENBLAS_CORETYPE=SkylakeX,
// through the functions it uses for that choice itself, unless the user set OPENBLAS_CORETYPE or OpenBLAS chose
// something other than its AVX2 fallbacks. OpenBLAS's symbols are looked up at run time, so another BLAS (or an
// OpenBLAS built for one CPU) leaves this without effect.
#include "blas_kernel_set.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <strings.h>

int i2t_cpu_has_avx512(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

static int switched = 0;

int i2t_blas_switched_to_avx512(void) { return switched; }

// Runs before main, while the process is still single-threaded (setenv is not safe beside other threads), and after
// OpenBLAS's own initialisation (a library's constructors run before those of the program that links it).
__attribute__((constructor)) static void i2t_select_blas_kernel_set(void) {
    const char *(*core_name)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
    void (*forget_choice)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    void (*choose)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (!core_name || !forget_choice || !choose || getenv("OPENBLAS_CORETYPE") || !i2t_cpu_has_avx512()) return;
    const char *chosen = core_name();
    if (!chosen || (strcasecmp(chosen, "Haswell") != 0 && strcasecmp(chosen, "Zen") != 0)) return;
    // The variable is removed again so that child processes make their own choice.
    if (setenv("OPENBLAS_CORETYPE", "SkylakeX", 1) != 0) return;
    forget_choice();
    choose();
    unsetenv("OPENBLAS_CORETYPE");
    switched = 1;
}
