# Sourced by submit/m3spark and submit/benchmark: native libraries preloaded into the JVM for CPU speed. Each is
# skipped when it does not apply or is not available, and each can be turned off.
#
#   m3spark_preload <folder for compiled files>
#
# 1. M3SPARK_MKL_AVX512 (auto|0): on AMD CPUs with AVX-512, a vendor check that lets the oneMKL inside libtorch use its
#    AVX-512 kernels (submit/native/mkl_avx512.c): about twice the matmul throughput.
# 2. M3SPARK_JEMALLOC (auto|0|path): libtorch allocates every intermediate tensor with malloc; glibc hands blocks over
#    32 MB back to the kernel at once, so each batch re-faults them page by page (most of the CPU time went to page
#    faults at 512 tokens). jemalloc keeping freed pages (MALLOC_CONF below) removes that. Debian: libjemalloc2.
m3spark_preload() {
  local out="$1"
  m3spark_preload_mkl "$out"
  m3spark_preload_jemalloc
}

m3spark_preload_mkl() {
  local out="$1" src shim
  src="$(dirname "${BASH_SOURCE[0]}")/../native/mkl_avx512.c"
  [ "${M3SPARK_MKL_AVX512:-auto}" = "0" ] && return 0
  grep -q -m1 avx512f /proc/cpuinfo 2>/dev/null || return 0
  grep -q -m1 GenuineIntel /proc/cpuinfo 2>/dev/null && return 0
  shim="$out/libm3spark_mkl_avx512.so"
  if [ ! -f "$shim" ] && command -v cc >/dev/null 2>&1; then
    mkdir -p "$out" && cc -O2 -shared -fPIC -o "$shim" "$src" 2>/dev/null || rm -f "$shim"
  fi
  [ -f "$shim" ] && export LD_PRELOAD="$shim${LD_PRELOAD:+:$LD_PRELOAD}"
  return 0
}

m3spark_preload_jemalloc() {
  local lib="${M3SPARK_JEMALLOC:-auto}" candidate
  [ "$lib" = "0" ] && return 0
  if [ "$lib" = "auto" ]; then
    lib=""
    for candidate in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 /usr/lib/libjemalloc.so.2; do
      [ -f "$candidate" ] && lib="$candidate" && break
    done
  fi
  [ -n "$lib" ] && [ -f "$lib" ] || return 0
  export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
  # Keep freed pages for reuse instead of returning them to the kernel: the next batch needs the same sizes.
  export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}"
}
