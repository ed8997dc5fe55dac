#!/usr/bin/env bash
# The one prepared GPU measurement (issue 10), run from the repo root on the device
# machine with the kit built here first:
#
#   node bench/gpu/build-kit.mjs .gpu-kit        # here: engine bundle, node.xz, dawn.node.xz (~34 MiB)
#   (device) carry [".gpu-kit", ".gl"]; command: bash .gpu-kit/run-on-device.sh
#
# .gl holds the Vulkan/EGL loader .debs (see /work/.library/device/README.md). It prints
# and writes to $OUT: the adapter, webgpu img/s for dcgan-28 and dcgan-64 at batch 64
# and 256 with a kernel profile, and PyTorch CUDA img/s for the same steps, alternating.
set -uo pipefail
KIT="$(cd "$(dirname "$0")" && pwd)"
OUT="${OUT:-/tmp/gpu-out}"; mkdir -p "$OUT"
LOG="$OUT/gpu-bench.log"
exec > >(tee -a "$LOG") 2>&1

for f in .gl/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done; ldconfig
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -e /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
[ -x "$KIT/node" ] || xz -dk "$KIT/node.xz"
[ -e "$KIT/node_modules/webgpu/dist/linux-x64/dawn.node" ] || xz -dk "$KIT/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
NODE="$KIT/node"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true

echo "== adapter"
timeout 60 "$NODE" "$KIT/engine.mjs" info | tee "$OUT/info.json"

run() { # name, timeout, command...
  local name=$1 t=$2; shift 2
  echo "== $name"; timeout "$t" "$@" | tail -1 | tee -a "$OUT/results.jsonl"
}
for preset in dcgan-28 dcgan-64; do
  for batch in 64 256; do
    steps=20; [ "$preset" = dcgan-64 ] && steps=10
    for round in 1 2; do
      prof=(); [ "$round" = 1 ] && [ "$batch" = 64 ] && prof=(--profile)
      run "webgpu $preset b$batch r$round" 120 "$NODE" "$KIT/engine.mjs" bench --backend webgpu --preset $preset --batch $batch --steps $steps --warmup 3 "${prof[@]}"
      run "torch-cuda $preset b$batch r$round" 120 python3 "$KIT/torch-peer.py" --device cuda --preset $preset --batch $batch --steps $steps --warmup 3 --json
    done
  done
done
echo "== done: $OUT/results.jsonl"
