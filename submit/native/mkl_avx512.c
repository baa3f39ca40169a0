/*
 * Preloaded into the JVM by submit/m3spark on AMD CPUs that have AVX-512.
 *
 * The oneMKL inside DJL's libtorch picks its matrix kernels with an internal vendor check that libtorch_cpu.so
 * exports; on non-Intel CPUs it answers "no" and MKL falls back to its AVX2 kernels, about half the speed of the
 * AVX-512 ones on these machines. Defining the check here (the dynamic linker resolves the preloaded definition
 * first) makes MKL take the kernels the CPU actually supports. Results equal the AVX2 path to fp32 rounding; the
 * launcher only does this when /proc/cpuinfo lists avx512f, and M3SPARK_MKL_AVX512=0 turns it off.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
