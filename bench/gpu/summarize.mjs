#!/usr/bin/env node
/**
 * The GPU kit's summary (bench/gpu/run-on-device.sh runs it last):
 *
 *   node summarize.mjs results.jsonl
 *
 * Per preset and batch: the median img/s of webgpu and of PyTorch (runs alternated),
 * their ratio (issue 10's goal: ≥ 0.5 on dcgan-64), webgpu against our wasm backend
 * on the same machine's CPU (goal: ≥ 30×), and the GPU kernel profile after and
 * before the fusions: GPU ms per step, dispatches, the top programs.
 */
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter((l) => l.trim().startsWith('{'))
  .flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });

const median = (xs) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');

const failed = lines.filter((l) => l.error || l.skipped);
for (const l of failed) console.log(`${l.name}: ${l.skipped ? 'skipped (budget)' : l.error}`);

const info = lines.find((l) => l.kind === 'info');
const webgpuInfo = info?.backends?.find?.((b) => b.name === 'webgpu');
if (webgpuInfo)
  console.log(
    `webgpu: ${webgpuInfo.available ? 'available' : 'not available'}; ${webgpuInfo.reason ?? ''}; adapter: ${webgpuInfo.adapter?.description ?? 'none'}`,
  );

const speed = (pred) => lines.filter((l) => typeof l.imgPerSec === 'number' && pred(l)).map((l) => l.imgPerSec);
const keys = [...new Set(lines.filter((l) => l.kind === 'bench').map((l) => `${l.preset} ${l.batch}`))];
console.log('preset     batch  webgpu img/s  torch img/s  webgpu/torch  wasm img/s  webgpu/wasm');
for (const key of keys) {
  const [preset, b] = key.split(' ');
  const batch = Number(b);
  const at = (l) => l.preset === preset && l.batch === batch;
  const gpu = median(speed((l) => at(l) && l.backend === 'webgpu'));
  const torch = median(speed((l) => at(l) && String(l.backend).startsWith('torch')));
  const wasm = median(speed((l) => at(l) && l.backend === 'wasm'));
  console.log(
    `${preset.padEnd(10)} ${String(batch).padStart(5)} ${fmt(gpu).padStart(13)} ${fmt(torch).padStart(12)} ${fmt(gpu / torch, 3).padStart(13)} ${fmt(wasm).padStart(11)} ${fmt(gpu / wasm, 1).padStart(12)}`,
  );
}

for (const fused of lines.filter((l) => l.kind === 'profile' && !l.unfused)) {
  const unfused = lines.find(
    (l) => l.kind === 'profile' && l.unfused && l.preset === fused.preset && l.batch === fused.batch,
  );
  console.log(
    `\nGPU profile ${fused.preset} b${fused.batch} (${fused.gpuTimestamps ? 'timestamp queries' : 'NO timestamps: times are 0'}):`,
  );
  for (const [label, p] of [
    ['before (--unfused)', unfused],
    ['after (fused)', fused],
  ]) {
    if (!p) continue;
    console.log(`  ${label}: ${fmt(p.gpuMsPerStep, 3)} GPU ms/step, ${p.dispatchesPerStep} dispatches/step`);
    for (const r of p.programs.slice(0, 8))
      console.log(`    ${r.name.padEnd(30)} ${fmt(r.ms, 3).padStart(9)} ms ${String(r.calls).padStart(5)}×`);
  }
}
