#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the GPUs this executor owns as
# {"name":"gpu","addresses":["3"]}. Spark hands each device task one of them; m3spark runs its model there (Spark does
# not set CUDA_VISIBLE_DEVICES for JVM tasks).
#
# Which GPUs an executor owns:
# - CUDA_VISIBLE_DEVICES set (a resource manager isolated the executor): exactly those, by their nvidia-smi index.
# - Otherwise the executor claims M3SPARK_EXECUTOR_GPUS (default 1) GPUs of the host that no live executor holds. Hosts
#   that run several executors without GPU isolation (YARN without the GPU plugin, a standalone worker without
#   spark.worker.resource.gpu.*) would otherwise give every executor every GPU, and each would start on GPU 0.
#   A claim is the file $M3SPARK_GPU_CLAIMS/<gpu uuid> holding the claiming executor's pid and start time (this
#   script's parent is the executor JVM); a claim whose process has ended is free again. Claims are made under flock, so concurrent executors never share.
# - No GPU (no nvidia-smi): no addresses; Spark then refuses to start an executor that asks for GPUs.
set -euo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo '{"name":"gpu","addresses":[]}'
  exit 0
fi

print() {
  local joined=""
  [ $# -gt 0 ] && joined=$(printf '"%s",' "$@")
  echo "{\"name\":\"gpu\",\"addresses\":[${joined%,}]}"
}

# "pid start-time" of a process: a pid alone could be reused by a later process.
identity() {
  [ -r "/proc/$1/stat" ] && echo "$1 $(awk '{ print $22 }' "/proc/$1/stat")"
}

# "index,uuid" per GPU of the host.
gpus=$(nvidia-smi --query-gpu=index,uuid --format=csv,noheader | tr -d ' ')

if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  chosen=()
  IFS=',' read -r -a visible <<< "$CUDA_VISIBLE_DEVICES"
  for v in "${visible[@]}"; do
    index=$(echo "$gpus" | awk -F, -v v="$v" '$1 == v || $2 == v { print $1 }')
    [ -n "$index" ] && chosen+=("$index")
  done
  print "${chosen[@]}"
  exit 0
fi

wanted="${M3SPARK_EXECUTOR_GPUS:-1}"
claims="${M3SPARK_GPU_CLAIMS:-${TMPDIR:-/tmp}/m3spark-gpu-claims}"
mkdir -p "$claims"
owner="$(identity "$PPID")"
exec 9> "$claims/.lock"
flock -w 30 9
chosen=()
while IFS=, read -r index uuid; do
  [ "${#chosen[@]}" -ge "$wanted" ] && break
  claim="$claims/$uuid"
  holder=$(cat "$claim" 2>/dev/null || true)
  if [ -z "$holder" ] || [ "$holder" = "$owner" ] || [ "$(identity "${holder%% *}")" != "$holder" ]; then
    echo "$owner" > "$claim"
    chosen+=("$index")
  fi
done <<< "$gpus"
flock -u 9
print "${chosen[@]}"
