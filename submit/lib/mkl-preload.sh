# Sourced by submit/m3spark and submit/benchmark: on AMD CPUs with AVX-512, preload a vendor check that lets the oneMKL
# inside libtorch use its AVX-512 kernels (see submit/native/mkl_avx512.c). M3SPARK_MKL_AVX512=0 turns it off.
# Usage: m3spark_mkl_preload <folder for the compiled shim>
m3spark_mkl_preload() {
  local out="$1" src
  src="$(dirname "${BASH_SOURCE[0]}")/../native/mkl_avx512.c"
  [ "${M3SPARK_MKL_AVX512:-auto}" = "0" ] && return 0
  grep -q -m1 avx512f /proc/cpuinfo 2>/dev/null || return 0
  grep -q -m1 GenuineIntel /proc/cpuinfo 2>/dev/null && return 0
  local shim="$out/libm3spark_mkl_avx512.so"
  if [ ! -f "$shim" ] && command -v cc >/dev/null 2>&1; then
    mkdir -p "$out" && cc -O2 -shared -fPIC -o "$shim" "$src" 2>/dev/null || rm -f "$shim"
  fi
  if [ -f "$shim" ]; then
    export LD_PRELOAD="$shim${LD_PRELOAD:+:$LD_PRELOAD}"
  fi
}
