/**
 * Register tiles for a future packed-A microkernel of the relaxed-SIMD GEMM
 * (src/engine/backend/wasm-gemm.ts), measured alone: A packed as [k][MR] (one pointer, as
 * a packed-A GEMM would read it), B packed in NR-column panels, C += A·B over a 96×128×256
 * block (rounded to whole tiles), best of 7 × 200 calls, GFLOP/s, one thread.
 *
 *   node bench/wasm-gemm-tiles.mjs
 *
 * A scratch experiment (session 7), not used by the engine; it needs wabt (`npm exec`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'gemm-tiles-'));
function gen(MR, NV) {
  const NR = NV * 4;
  const L = [];
  const e = (s) => L.push(s);
  e('(module (memory (export "mem") 4096)');
  e('  (func $kp (param $kc i32) (param $pa i32) (param $bp i32) (param $c i32) (param $ldc i32)');
  const rows = [...Array(MR).keys()],
    vecs = [...Array(NV).keys()];
  e(
    `    ${rows.flatMap((r) => vecs.map((v) => `(local $c${r}_${v} v128)`)).join(' ')} ${vecs.map((v) => `(local $b${v} v128)`).join(' ')} (local $s v128) (local $end i32)`,
  );
  e(`    (local.set $end (i32.add (local.get $pa) (i32.mul (local.get $kc) (i32.const ${MR * 4}))))`);
  e('    (loop $k');
  for (const v of vecs) e(`      (local.set $b${v} (v128.load offset=${v * 16} (local.get $bp)))`);
  for (const r of rows) {
    e(`      (local.set $s (v128.load32_splat offset=${r * 4} (local.get $pa)))`);
    for (const v of vecs)
      e(`      (local.set $c${r}_${v} (f32x4.relaxed_madd (local.get $s) (local.get $b${v}) (local.get $c${r}_${v})))`);
  }
  e(`      (local.set $pa (i32.add (local.get $pa) (i32.const ${MR * 4})))`);
  e(`      (local.set $bp (i32.add (local.get $bp) (i32.const ${NR * 4})))`);
  e('      (br_if $k (i32.lt_u (local.get $pa) (local.get $end))))');
  for (const r of rows)
    for (const v of vecs)
      e(
        `    (v128.store offset=${v * 16} (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const ${r}))) (f32x4.add (local.get $c${r}_${v}) (v128.load offset=${v * 16} (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const ${r}))))))`,
      );
  e('  )');
  e(
    '  (func (export "blockP") (param $mc i32) (param $nc i32) (param $kc i32) (param $pa i32) (param $bp i32) (param $ps i32) (param $c i32) (param $ldc i32)',
  );
  e('    (local $i i32) (local $j i32) (local $panel i32)');
  e('    (local.set $panel (local.get $bp))');
  e('    (block $dj (loop $lj (br_if $dj (i32.ge_u (local.get $j) (local.get $nc)))');
  e('      (local.set $i (i32.const 0))');
  e('      (block $di (loop $li (br_if $di (i32.ge_u (local.get $i) (local.get $mc)))');
  e(
    `        (call $kp (local.get $kc) (i32.add (local.get $pa) (i32.mul (local.get $i) (i32.shl (local.get $kc) (i32.const 2)))) (local.get $panel) (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))) (local.get $ldc))`,
  );
  e(`        (local.set $i (i32.add (local.get $i) (i32.const ${MR}))) (br $li)))`);
  e('      (local.set $panel (i32.add (local.get $panel) (local.get $ps)))');
  e(`      (local.set $j (i32.add (local.get $j) (i32.const ${NR}))) (br $lj)))`);
  e('  ))');
  return L.join('\n');
}
for (const [MR, NV] of [
  [4, 2],
  [5, 2],
  [6, 2],
  [3, 3],
  [2, 4],
  [4, 3],
  [7, 2],
]) {
  writeFileSync(join(dir, 't.wat'), gen(MR, NV));
  execFileSync(
    'npm',
    [
      'exec',
      '--yes',
      '--package=wabt@1.0.39',
      '--',
      'wat2wasm',
      '--enable-relaxed-simd',
      join(dir, 't.wat'),
      '-o',
      join(dir, 't.wasm'),
    ],
    { stdio: 'inherit' },
  );
  const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(dir, 't.wasm'))), {}).exports;
  const mem = new Float32Array(ex.mem.buffer);
  const NR = NV * 4;
  const M = MR * Math.floor(96 / MR),
    N = NR * Math.floor(128 / NR),
    K = 256;
  const Bp = 1024,
    C = Bp + K * N * 4 + 4096,
    PA = C + M * N * 4 + 4096;
  for (let i = 0; i < (PA + M * K * 4) / 4; i++) mem[i] = (i % 7) * 0.01;
  const flops = 2 * M * N * K;
  let best = 1e9;
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) ex.blockP(M, N, K, PA, Bp, K * NR * 4, C, N * 4);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`${MR}x${NR}: ${((flops * 200) / best / 1e6).toFixed(1)} GFLOP/s`);
}
rmSync(dir, { recursive: true, force: true });
