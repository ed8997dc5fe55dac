#!/usr/bin/env bash
# The one prepared GPU measurement (issue 10), run from the repo root on the device
# machine with the kit built here first:
#
#   node bench/gpu/build-kit.mjs .gpu-kit        # here: engine bundle, node.xz, dawn.node.xz (~35 MiB)
#   (device) carry [".gpu-kit", ".gl"]; command: bash .gpu-kit/run-on-device.sh   (timeout_s 600)
#
# .gl holds the Vulkan/EGL loader .debs (see /work/.library/device/README.md). It prints,
# and writes to $OUT (gpu-bench.log, results.jsonl, summary.txt), most important first:
#   1. dcgan-64 at batch 64: webgpu img/s against PyTorch CUDA, alternating, 2 rounds;
#   2. the kernel profile of that step with GPU timestamps, fused and --unfused (before);
#   3. our wasm backend on the device's CPU (8 threads), for the "30x wasm" ratio;
#   4. the same for dcgan-28; 5. batch 256 of both, one round.
# It starts no run after GPU_KIT_BUDGET_S seconds (default 470), so the call ends inside
# the device's 10-minute command limit with what it has.
#
#   bash .gpu-kit/run-on-device.sh --smoke      # here, on SwiftShader: every step of the
#                                               # script on tiny shapes, in about a minute
set -uo pipefail
KIT="$(cd "$(dirname "$0")" && pwd)"
SMOKE=0
[ "${1:-}" = --smoke ] && SMOKE=1
OUT="${OUT:-/tmp/gpu-out}"; mkdir -p "$OUT"
LOG="$OUT/gpu-bench.log"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
exec > >(tee -a "$LOG") 2>&1
START=$SECONDS
BUDGET="${GPU_KIT_BUDGET_S:-470}"

if [ "$SMOKE" = 1 ]; then
  # Here: SwiftShader, and Debian's torch on the CPU. Nothing is unpacked into /.
  export VK_ICD_FILENAMES="${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json}"
  PY="${PYTHON:-/usr/bin/python3}"
  TORCH_DEVICE=cpu
  SETS=(--set model.baseWidth=4 --set model.latentDim=8)
  PRESETS=(dcgan-28); BATCH=2; BIG=4; ROUNDS=1; STEPS=1; WARMUP=1; PSTEPS=1; THREADS=2
else
  for f in .gl/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
  ldconfig
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -e /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  fi
  PY="${PYTHON:-python3}"
  TORCH_DEVICE=cuda
  SETS=()
  PRESETS=(dcgan-64 dcgan-28); BATCH=64; BIG=256; ROUNDS=2; STEPS=; WARMUP=3; PSTEPS=2; THREADS=8
fi
# Unpacked in a copy, so the kit itself stays small enough to carry (node is ~120 MB unpacked).
RUN="${TMPDIR:-/tmp}/gpu-kit-run"
rm -rf "$RUN" && cp -r "$KIT" "$RUN" || exit 1
xz -d "$RUN/node.xz" "$RUN/node_modules/webgpu/dist/linux-x64/dawn.node.xz" || exit 1
chmod +x "$RUN/node"
NODE="$RUN/node"
ENGINE=("$NODE" "$RUN/engine.mjs")
echo "kit: $(cat "$KIT/BUILT" 2>/dev/null); smoke=$SMOKE; $(nproc) CPUs; $(uptime)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv

# run NAME TIMEOUT COMMAND...: keeps the command's last stdout line when it is JSON,
# else records the failure; skips the run once the budget is spent.
run() {
  local name=$1 t=$2; shift 2
  local left=$((BUDGET - (SECONDS - START)))
  if [ "$left" -le 5 ]; then
    echo "== $name: skipped, the ${BUDGET}s budget is spent"
    echo "{\"name\":\"$name\",\"skipped\":true}" >>"$RESULTS"
    return
  fi
  [ "$t" -gt "$left" ] && t=$left
  echo "== $name (at $((SECONDS - START))s, timeout ${t}s)"
  local line rc
  line=$(timeout "$t" "$@" | tail -1); rc=$?
  if [ "${line:0:1}" = "{" ]; then
    echo "{\"name\":\"$name\",${line:1}" | tee -a "$RESULTS"
  else
    echo "{\"name\":\"$name\",\"error\":\"exit $rc\"}" | tee -a "$RESULTS"
  fi
}
steps_of() { [ -n "$STEPS" ] && echo "$STEPS" && return; [ "$1" = dcgan-64 ] && echo 10 || echo 20; }

run info 90 "${ENGINE[@]}" info

pair() { # preset batch rounds: webgpu and torch, alternating
  local p=$1 b=$2 rounds=$3 s
  s=$(steps_of "$p")
  for r in $(seq 1 "$rounds"); do
    run "webgpu $p b$b r$r" 150 "${ENGINE[@]}" bench --backend webgpu --preset "$p" --batch "$b" --steps "$s" --warmup "$WARMUP" "${SETS[@]}"
    run "torch-$TORCH_DEVICE $p b$b r$r" 120 "$PY" "$RUN/torch-peer.py" --device "$TORCH_DEVICE" --preset "$p" --batch "$b" --steps "$s" --warmup "$WARMUP" --json
  done
}
profiles() { # preset batch: GPU kernel profile after and before the fusions
  run "profile $1 b$2 fused" 150 "${ENGINE[@]}" profile --preset "$1" --batch "$2" --steps "$PSTEPS" --warmup 2 "${SETS[@]}"
  run "profile $1 b$2 unfused" 150 "${ENGINE[@]}" profile --preset "$1" --batch "$2" --steps "$PSTEPS" --warmup 2 --unfused "${SETS[@]}"
}
for p in "${PRESETS[@]}"; do
  pair "$p" "$BATCH" "$ROUNDS"
  profiles "$p" "$BATCH"
  run "wasm $p b$BATCH t$THREADS" 120 "${ENGINE[@]}" bench --backend wasm --threads "$THREADS" --preset "$p" --batch "$BATCH" --steps 2 --warmup 1 "${SETS[@]}"
done
for p in "${PRESETS[@]}"; do pair "$p" "$BIG" 1; done

echo "== summary (after $((SECONDS - START))s)"
"$NODE" "$RUN/summarize.mjs" "$RESULTS" | tee "$OUT/summary.txt"
