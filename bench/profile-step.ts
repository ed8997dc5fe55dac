/**
 * Where a training step's time goes, per kernel, from tf.profile.
 *
 *   npx tsx bench/profile-step.ts [--preset dcgan-28|dcgan-64] [--batch 64] [--warmup 1] [--steps 1]
 *                                 [--backend wasm|webgpu|cpu] [--threads 1] [--stock] [--eager-grads] [--unfused]
 *                                 [--compare stock|eager-grads|unfused|no-gemm|old-elementwise|unpacked-a|pool-wait-all] [--set key=value ...] [--shapes]
 *                                 [--programs] [--json]
 *
 * Runs `warmup` untimed steps of GanSession.trainStep on synthetic data, then
 * profiles `steps` steps and prints, per kernel name, the summed kernel time
 * (ms per step), the call count and the share of the step's wall time.
 * `--stock` profiles with the stock wasm kernels wherever GAN Studio registers
 * a faster one (only Conv2DBackpropFilter, which the stock backend lacks, stays).
 * `--eager-grads` computes every input's gradient of the fused conv/matMul ops, as
 * tfjs's customGrad does (src/engine/backend/fused-gradients.ts makes them lazy).
 * `--compare X` measures before (X on) and after (X off) in the same process,
 * alternating step by step (`steps` of each), and prints both columns and the ratio
 * of the wall times: before and after see the same machine load.
 * `--compare no-gemm`: before = the stock XNNPACK GEMMs, after = the relaxed-SIMD
 * GEMM (src/engine/backend/wasm-gemm.ts) where GAN Studio's wasm kernels use it.
 * `--compare old-elementwise`: before = the XNNPACK op chains, JS column sums and copying
 * Identity, after = the module's element-wise kernels (LeakyRelu and its gradient, Sum/Mean,
 * Adam, Identity; src/engine/backend/wasm-elementwise.ts), the GEMM on in both.
 * `--compare unpacked-a`: before = the GEMM's row-pointer microkernel on A in place, after =
 * A packed per block call (the default; the same bits either way).
 * `--compare pool-wait-all` (with --threads N): before = the GEMM pool's earlier hand-off (every
 * worker checks in for every job), after = workers join a job and only joined ones are waited for.
 * `--threads N` runs the wasm backend's XNNPACK pool with N threads (default 1).
 * `--shapes` keeps kernels apart by their input shapes (which layer a conv time is).
 *
 * `--backend webgpu` times the GPU itself: the device is made with timestamp
 * queries (src/engine/backend/webgpu-adapter.ts, requestGpuTimestamps; profiling
 * only), so each kernel's ms is the GPU time of its compute passes, and
 * `--programs` adds the table per WebGPU program (one row per dispatched shader
 * class). `--unfused` runs Adam/RMSProp/SGD and the EMA as tfjs op chains
 * instead of the fused programs; `--compare unfused` gives before and after.
 * Each program then ends its own pass and waits for its timestamps, so the wall
 * time of a profiled step is far above an unprofiled one; the kernel ms are not.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { setLazyFusedGradients } from '../src/engine/backend/fused-gradients';
import { activateBackend } from '../src/engine/backend/select';
import { setWasmElementwiseEnabled, setWasmGemmEnabled, setWasmGemmPackedA } from '../src/engine/backend/wasm-gemm';
import { setPoolJoin } from '../src/engine/backend/wasm-gemm-pool';
import { setStockWasmKernels } from '../src/engine/backend/wasm-kernels';
import { webgpuTimestamps } from '../src/engine/backend/webgpu';
import { requestGpuTimestamps } from '../src/engine/backend/webgpu-adapter';
import { setFusedUpdates } from '../src/engine/backend/webgpu-fused';
import { resolveConfig } from '../src/engine/config/resolve';
import { syntheticData } from '../src/engine/bench';
import { GanSession } from '../src/engine/train/session';
import type { BackendName } from '../src/shared/config';
import { arg } from './args';
import { kernelMsPerStep, newTally, perStep, profileStep, rows as sortedRows, type Tally } from './kernel-profile';

type Mode = 'stock' | 'eager-grads' | 'unfused' | 'no-gemm' | 'old-elementwise' | 'unpacked-a' | 'pool-wait-all';
const MODES: Mode[] = ['stock', 'eager-grads', 'unfused', 'no-gemm', 'old-elementwise', 'unpacked-a', 'pool-wait-all'];

function setMode(mode: Mode, on: boolean): void {
  if (mode === 'stock') setStockWasmKernels(on);
  else if (mode === 'eager-grads') setLazyFusedGradients(!on);
  else if (mode === 'no-gemm') setWasmGemmEnabled(!on);
  else if (mode === 'old-elementwise') setWasmElementwiseEnabled(!on);
  else if (mode === 'unpacked-a') setWasmGemmPackedA(!on);
  else if (mode === 'pool-wait-all') setPoolJoin(!on);
  else setFusedUpdates(!on);
}

const kernelRow = (t: Tally, name: string) => perStep(t.byKernel, t.steps, name);
const loadNow = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function main(): Promise<void> {
  const preset = arg('preset', 'dcgan-28');
  const batch = Number(arg('batch', '64'));
  const warmup = Number(arg('warmup', '1'));
  const steps = Number(arg('steps', '1'));
  const backend = arg('backend', 'wasm') as BackendName;
  const stock = process.argv.includes('--stock');
  const eager = process.argv.includes('--eager-grads');
  const unfused = process.argv.includes('--unfused');
  const compare = arg('compare', '') as Mode | '';
  if (compare !== '' && !MODES.includes(compare)) {
    throw new Error(`--compare must be one of ${MODES.join(', ')}, got '${compare}'`);
  }
  const json = process.argv.includes('--json');
  const threads = Number(arg('threads', '1'));
  const byShape = process.argv.includes('--shapes');
  const byProgram = process.argv.includes('--programs');
  const sets = process.argv.flatMap((a, i) =>
    a === '--set' && i + 1 < process.argv.length ? [process.argv[i + 1]] : [],
  );
  if (backend === 'webgpu') requestGpuTimestamps();
  const active = await activateBackend(backend, { threads });
  if (active.name !== backend) throw new Error(`${backend} is not available here: ${active.why}`);
  const gpuTimed = backend === 'webgpu' && webgpuTimestamps();
  if (backend === 'webgpu' && !gpuTimed)
    console.error('this adapter has no timestamp-query feature: kernel times are 0, only the counts mean something');
  if (stock) setStockWasmKernels(true);
  if (eager) setLazyFusedGradients(false);
  if (unfused) setFusedUpdates(false);
  const config = await resolveConfig({ preset, sets, overrides: { batchSize: batch, seed: 1 } });
  const { resolution, channels } = config.model;
  const session = GanSession.create(config, 256);
  const data = syntheticData(256, resolution * resolution * channels);
  const loadBefore = loadNow();
  for (let i = 0; i < warmup; i++) {
    if (compare !== '') setMode(compare, i % 2 === 0);
    await session.trainStep(data);
  }
  const before = newTally();
  const after = newTally();
  for (let s = 0; s < steps; s++) {
    if (compare !== '') {
      setMode(compare, true);
      await profileStep(session, data, before, byShape);
      setMode(compare, false);
    }
    await profileStep(session, data, after, byShape);
  }
  session.dispose();
  const load = `load ${loadBefore} → ${loadNow()}`;
  const names = [...new Set([...before.byKernel.keys(), ...after.byKernel.keys()])];
  const rows = names
    .map((name) => ({ name, before: kernelRow(before, name), after: kernelRow(after, name) }))
    .sort((a, b) => Math.max(b.after.ms, b.before.ms) - Math.max(a.after.ms, a.before.ms));
  const sum = kernelMsPerStep;
  const wallAfter = after.wall / after.steps;
  const programs = (t: Tally) => sortedRows(t.byProgram, t.steps);
  const adapter = active.adapter?.description;
  if (json) {
    process.stdout.write(
      JSON.stringify({
        preset,
        batch,
        backend,
        adapter,
        gpuTimestamps: gpuTimed,
        sets,
        stock,
        unfused,
        compare: compare || undefined,
        load,
        wallMsPerStep: wallAfter,
        kernelMs: sum(after),
        ...(compare !== ''
          ? {
              before: {
                wallMsPerStep: before.wall / before.steps,
                kernelMs: sum(before),
                ...(backend === 'webgpu' ? { programs: programs(before) } : {}),
              },
            }
          : {}),
        kernels: rows.map((r) => ({
          name: r.name,
          ms: r.after.ms,
          calls: r.after.calls,
          ...(compare ? { before: r.before } : {}),
        })),
        ...(backend === 'webgpu' ? { programs: programs(after) } : {}),
      }) + '\n',
    );
    return;
  }
  const what = [
    stock ? 'stock kernels' : '',
    eager ? 'eager fused gradients' : '',
    unfused ? 'unfused updates' : '',
    ...sets,
  ]
    .filter(Boolean)
    .join(', ');
  const where = backend === 'webgpu' ? `on ${adapter ?? 'an unknown adapter'}` : `${threads} thread(s)`;
  console.log(
    `${preset}, batch ${batch}, ${tf.getBackend()}${what ? ` (${what})` : ''}, ${where}; ${steps} profiled step(s)${compare ? ' of each' : ''} after ${warmup} warm-up; ${load}`,
  );
  if (gpuTimed) console.log('kernel ms = GPU time of their compute passes (timestamp queries, full precision)');
  const printPrograms = (t: Tally, label: string) => {
    if (!byProgram || backend !== 'webgpu') return;
    const list = programs(t);
    const total = list.reduce((n, r) => n + r.ms, 0);
    console.log(
      `${label}WebGPU programs: ${list.reduce((n, r) => n + r.calls, 0)} dispatches, ${total.toFixed(2)} GPU ms/step`,
    );
    console.log(`${'program'.padEnd(32)}${'ms/step'.padStart(10)}${'calls'.padStart(8)}${'share'.padStart(8)}`);
    for (const r of list)
      console.log(
        `${r.name.padEnd(32)}${r.ms.toFixed(2).padStart(10)}${String(Math.round(r.calls)).padStart(8)}${((100 * r.ms) / Math.max(total, 1e-9)).toFixed(1).padStart(7)}%`,
      );
  };
  const width = byShape ? 60 : 26;
  // GPU kernels take microseconds: more digits, and every row.
  const digits = backend === 'webgpu' ? 3 : 1;
  const minMs = backend === 'webgpu' ? 0 : 0.5;
  if (compare !== '') {
    const wallBefore = before.wall / before.steps;
    console.log(
      `before = --${compare}, after = without it, alternating: wall ${wallBefore.toFixed(0)} → ${wallAfter.toFixed(0)} ms/step (profiled, ratio ${(wallAfter / wallBefore).toFixed(3)}), kernels ${sum(before).toFixed(0)} → ${sum(after).toFixed(0)} ms/step`,
    );
    console.log(
      `${'kernel'.padEnd(width)}${'before ms'.padStart(11)}${'calls'.padStart(7)}${'after ms'.padStart(11)}${'calls'.padStart(7)}`,
    );
    for (const r of rows) {
      if (Math.max(r.before.ms, r.after.ms) < minMs && rows.length > 25) continue;
      console.log(
        `${r.name.padEnd(width)}${r.before.ms.toFixed(digits).padStart(11)}${String(Math.round(r.before.calls)).padStart(7)}${r.after.ms.toFixed(digits).padStart(11)}${String(Math.round(r.after.calls)).padStart(7)}`,
      );
    }
    printPrograms(before, 'before: ');
    printPrograms(after, 'after: ');
    return;
  }
  console.log(
    `wall ${wallAfter.toFixed(0)} ms/step (profiled), kernels ${sum(after).toFixed(digits)} ms/step (op wrappers __op left out)`,
  );
  // On webgpu the share is of the GPU time (the profiled wall time is mostly waiting for timestamps).
  const whole = backend === 'webgpu' ? sum(after) : wallAfter;
  console.log(
    `${'kernel'.padEnd(width)}${'ms/step'.padStart(10)}${'calls'.padStart(8)}${(backend === 'webgpu' ? 'of GPU' : 'share').padStart(8)}`,
  );
  for (const r of rows) {
    if (r.after.ms < minMs && rows.length > 25) continue;
    console.log(
      `${r.name.padEnd(width)}${r.after.ms.toFixed(digits).padStart(10)}${String(Math.round(r.after.calls)).padStart(8)}${((100 * r.after.ms) / Math.max(whole, 1e-9)).toFixed(1).padStart(7)}%`,
    );
  }
  printPrograms(after, '');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
