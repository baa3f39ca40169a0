#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the GPUs of this host as
# {"name":"gpu","addresses":["0","1",...]}. Spark hands each task one of these addresses; m3spark reads it from the
# task context and runs its model on that device (Spark does not set CUDA_VISIBLE_DEVICES for JVM tasks).
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo '{"name":"gpu","addresses":[]}'
  exit 0
fi
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed -e 's/^ *//' -e 's/ *$//' -e 's/.*/"&"/' | paste -sd, -)
echo "{\"name\":\"gpu\",\"addresses\":[${addresses}]}"
