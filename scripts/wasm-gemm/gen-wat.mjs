/**
 * Writes the WebAssembly text of GAN Studio's relaxed-SIMD SGEMM (see
 * src/engine/backend/wasm-gemm.ts), for a MR×NR register-blocked microkernel.
 *
 * The module imports the tfjs wasm backend's own memory (`env.memory`) so it works on
 * tensors in place; it has no data and no memory of its own. Exports:
 *
 * - `packB(b, rs, cs, kc, n, out)`: B rows [0, kc) × columns [0, n) (element (k, j) at
 *   byte b + k·rs + j·cs) into panels of NR columns, [⌈n/NR⌉][kc][NR], zero-padded.
 * - `block(mc, nc, kc, a, lda, bp, ps, c, ldc, acc, fma)`: C[mc×nc] (row-major, ldc bytes
 *   per row) = (acc ? C : 0) + A[mc×kc] · Bp, where A is row-major (lda bytes per row,
 *   contiguous in k) and Bp comes from packB (panel p at bp + p·ps); `fma` 1 uses
 *   f32x4.relaxed_madd, 0 the plain f32x4.mul + f32x4.add (for comparison; same loops).
 *   With MR = 4 the block's A is first packed as [k][4] tiles into this instance's pack
 *   buffer (MC·KC floats, see `setPack`) by 4×4 SIMD transposes, and the microkernel reads
 *   it through one pointer (fewer integer ops per k step than 4 row pointers); `fma` + 2
 *   runs the earlier row-pointer microkernel on A in place instead (same bits).
 * - `blockInd(mc, nc, kc, tab, koff, bp, ps, c, ldc, acc, fma, ntap, tstride)`: the same
 *   with row r of A at the i32 address tab[r] + koff (a convolution's indirection table).
 *   Packed (fma 0/1), it takes ntap taps at once: tap q's rows from the table at
 *   tab + q·tstride, kc floats each, packed one after another (k = q·kc + c) and summed in
 *   one register chain of ntap·kc steps against ntap·kc consecutive rows of Bp (a filter's
 *   whole taps, packed tap after tap); the row-pointer path (fma 2/3) takes ntap = 1 only.
 * - `setPack(p)`: this instance's packed-A buffer (16-byte aligned, MC·KC·4 bytes); each
 *   thread's instance has its own.
 * - `peak(n, x, fma)`: 12 independent multiply-add chains, for the micro-benchmark.
 * - element-wise kernels and column sums: ./gen-elementwise.mjs.
 *
 * Usage: node scripts/wasm-gemm/gen-wat.mjs [MR] [NR] > out.wat (defaults 6 8).
 */

import { genBatchNorm, genBinary, genCopyRuns, genElementwise, genLayout } from './gen-elementwise.mjs';

/** The microkernel's store: full rows as vectors, a partial last panel lane by lane (rows < $mr, columns < $nr). */
function emitStore(e, rows, vecs, NR = vecs.length * 4) {
  for (const r of rows) {
    e(`    (if (i32.gt_u (local.get $mr) (i32.const ${r})) (then`);
    e(`      (local.set $cr (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const ${r}))))`);
    e(`      (if (i32.ge_u (local.get $nr) (i32.const ${NR})) (then`);
    for (const v of vecs) {
      const val = `(local.get $c${r}_${v})`;
      e(
        `        (v128.store offset=${v * 16} (local.get $cr) (if (result v128) (local.get $acc) (then (f32x4.add ${val} (v128.load offset=${v * 16} (local.get $cr)))) (else ${val})))`,
      );
    }
    e('      ) (else');
    for (const v of vecs) {
      for (let l = 0; l < 4; l++) {
        const col = v * 4 + l;
        const val = `(f32x4.extract_lane ${l} (local.get $c${r}_${v}))`;
        e(
          `        (if (i32.gt_u (local.get $nr) (i32.const ${col})) (then (f32.store offset=${col * 4} (local.get $cr) (if (result f32) (local.get $acc) (then (f32.add ${val} (f32.load offset=${col * 4} (local.get $cr)))) (else ${val})))))`,
        );
      }
    }
    e('      ))))');
  }
}

/**
 * The microkernel's k loop, shared by the row-pointer kernels (`$kern*`) and the packed ones
 * (`$kernP*`): U steps per pass, then (if `remainder`) one step per pass for the rest. A step
 * loads NR floats of the B panel at $bp and, per row r, splats A's float from `splat(u, r)`
 * (a `v128.load32_splat` memarg: offset and address) into MR·NV multiply-adds (`madd`);
 * `advance(n)` returns the instructions that move A's pointers n floats along k.
 * `label` names the main loop's blocks ($done<label>/$k<label>); the row kernels keep their
 * 1-step loop even at U = 1, where it never runs (so their binary is what it always was).
 */
function emitKLoop(e, { U, NR, rows, vecs, madd, label, remainder, splat, advance }) {
  const step = (u) => {
    for (const v of vecs) e(`        (local.set $b${v} (v128.load offset=${(u * NR + v * 4) * 4} (local.get $bp)))`);
    for (const r of rows) {
      e(`        (local.set $s (v128.load32_splat ${splat(u, r)}))`);
      for (const v of vecs)
        e(`        (local.set $c${r}_${v} ${madd('(local.get $s)', `(local.get $b${v})`, `(local.get $c${r}_${v})`)})`);
    }
  };
  const pass = (n) => {
    for (const a of advance(n)) e(`      ${a}`);
    e(`      (local.set $bp (i32.add (local.get $bp) (i32.const ${n * NR * 4})))`);
    e(`      (local.set $kc (i32.sub (local.get $kc) (i32.const ${n})))`);
  };
  e(`    (block $done${label} (loop $k${label}`);
  e(`      (br_if $done${label} (i32.lt_u (local.get $kc) (i32.const ${U})))`);
  for (let u = 0; u < U; u++) step(u);
  pass(U);
  e(`      (br $k${label})))`);
  if (!remainder) return;
  e('    (block $done1 (loop $k1');
  e('      (br_if $done1 (i32.eqz (local.get $kc)))');
  step(0);
  pass(1);
  e('      (br $k1)))');
}

export function genWat(MR = 6, NR = 8, U = 1) {
  if (NR % 4 !== 0) throw new Error('NR must be a multiple of 4');
  const NV = NR / 4;
  const L = [];
  const e = (s) => L.push(s);
  e('(module');
  e('  (import "env" "memory" (memory 1))');

  // ---- microkernel: one MR×NR tile over kc -------------------------------------------
  // mode 'lda': row r of A at a + r·lda; mode 'tab': at i32 table[r] + koff (table at $a, koff in $lda),
  // the indirection of a convolution (each output pixel's input run for one filter tap).
  for (const [fma, mode] of [
    [1, 'lda'],
    [0, 'lda'],
    [1, 'tab'],
    [0, 'tab'],
  ]) {
    const madd = (a, b, c) => (fma ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`);
    e(`  (func $kern${fma}${mode} (param $kc i32) (param $a i32) (param $lda i32) (param $mr i32)`);
    e('    (param $bp i32) (param $c i32) (param $ldc i32) (param $nr i32) (param $acc i32)');
    const rows = [...Array(MR).keys()];
    const vecs = [...Array(NV).keys()];
    e(`    ${rows.map((r) => `(local $p${r} i32)`).join(' ')}`);
    e(`    ${rows.flatMap((r) => vecs.map((v) => `(local $c${r}_${v} v128)`)).join(' ')}`);
    e(`    ${vecs.map((v) => `(local $b${v} v128)`).join(' ')} (local $s v128) (local $cr i32)`);
    // Rows past mr repeat the last valid row (always in bounds); their sums are dropped.
    if (mode === 'lda') {
      e('    (local.set $p0 (local.get $a))');
      for (let r = 1; r < MR; r++) {
        e(
          `    (local.set $p${r} (select (i32.add (local.get $p${r - 1}) (local.get $lda)) (local.get $p${r - 1}) (i32.gt_u (local.get $mr) (i32.const ${r}))))`,
        );
      }
    } else {
      e('    (local.set $p0 (i32.add (i32.load (local.get $a)) (local.get $lda)))');
      for (let r = 1; r < MR; r++) {
        e(
          `    (local.set $p${r} (if (result i32) (i32.gt_u (local.get $mr) (i32.const ${r})) (then (i32.add (i32.load offset=${r * 4} (local.get $a)) (local.get $lda))) (else (local.get $p${r - 1}))))`,
        );
      }
    }
    emitKLoop(e, {
      U,
      NR,
      rows,
      vecs,
      madd,
      label: '4',
      remainder: true,
      splat: (u, r) => `offset=${u * 4} (local.get $p${r})`,
      advance: (n) => rows.map((r) => `(local.set $p${r} (i32.add (local.get $p${r}) (i32.const ${n * 4})))`),
    });
    emitStore(e, rows, vecs);
    e('  )');
  }

  // ---- packed A (MR = 4): an mc×kc block of A copied once per block call into this
  // instance's pack buffer ($pack, set by setPack), tile t (rows 4t…4t+3) at $pack + t·kc·16
  // as [k][4] — by 4×4 SIMD transposes, the k remainder one float at a time. Rows past mc
  // repeat the last valid row (their sums are dropped at the store, as in the row kernel).
  e('  (global $pack (mut i32) (i32.const 0))');
  e('  (func (export "setPack") (param $p i32) (global.set $pack (local.get $p)))');
  const sh = (x, y, lanes) =>
    `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((k) => l * 4 + k)).join(' ')} (local.get ${x}) (local.get ${y}))`;
  if (MR === 4) {
    for (const mode of ['lda', 'tab']) {
      e(`  (func $packA${mode} (param $mc i32) (param $kc i32) (param $a i32) (param $lda i32) (param $d i32)`);
      if (mode === 'tab') e('    (param $ntap i32) (param $tstride i32) (local $q i32) (local $ta i32)');
      e(
        '    (local $i i32) (local $k i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $mr i32)',
      );
      e(
        '    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)',
      );
      e('    (block $di (loop $li');
      e('      (br_if $di (i32.ge_u (local.get $i) (local.get $mc)))');
      e('      (local.set $mr (i32.sub (local.get $mc) (local.get $i)))');
      if (mode === 'lda') {
        e('      (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))');
        for (let r = 1; r < 4; r++)
          e(
            `      (local.set $p${r} (select (i32.add (local.get $p${r - 1}) (local.get $lda)) (local.get $p${r - 1}) (i32.gt_u (local.get $mr) (i32.const ${r}))))`,
          );
      } else {
        // Taps q < ntap one after another (k = q·kc + c), tap q's table rows at a + q·tstride.
        e('      (local.set $q (i32.const 0))');
        e('      (local.set $ta (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))');
        e('      (loop $lq');
        e('      (local.set $p0 (i32.add (i32.load (local.get $ta)) (local.get $lda)))');
        for (let r = 1; r < 4; r++)
          e(
            `      (local.set $p${r} (if (result i32) (i32.gt_u (local.get $mr) (i32.const ${r})) (then (i32.add (i32.load offset=${r * 4} (local.get $ta)) (local.get $lda))) (else (local.get $p${r - 1}))))`,
          );
      }
      e('      (local.set $k (local.get $kc))');
      e('      (block $dk (loop $lk');
      e('        (br_if $dk (i32.lt_u (local.get $k) (i32.const 4)))');
      for (let r = 0; r < 4; r++) e(`        (local.set $r${r} (v128.load (local.get $p${r})))`);
      e(`        (local.set $t0 ${sh('$r0', '$r1', [0, 4, 1, 5])})`);
      e(`        (local.set $t1 ${sh('$r0', '$r1', [2, 6, 3, 7])})`);
      e(`        (local.set $t2 ${sh('$r2', '$r3', [0, 4, 1, 5])})`);
      e(`        (local.set $t3 ${sh('$r2', '$r3', [2, 6, 3, 7])})`);
      e(`        (v128.store (local.get $d) ${sh('$t0', '$t2', [0, 1, 4, 5])})`);
      e(`        (v128.store offset=16 (local.get $d) ${sh('$t0', '$t2', [2, 3, 6, 7])})`);
      e(`        (v128.store offset=32 (local.get $d) ${sh('$t1', '$t3', [0, 1, 4, 5])})`);
      e(`        (v128.store offset=48 (local.get $d) ${sh('$t1', '$t3', [2, 3, 6, 7])})`);
      for (let r = 0; r < 4; r++) e(`        (local.set $p${r} (i32.add (local.get $p${r}) (i32.const 16)))`);
      e('        (local.set $d (i32.add (local.get $d) (i32.const 64)))');
      e('        (local.set $k (i32.sub (local.get $k) (i32.const 4)))');
      e('        (br $lk)))');
      e('      (block $dk1 (loop $lk1');
      e('        (br_if $dk1 (i32.eqz (local.get $k)))');
      for (let r = 0; r < 4; r++) e(`        (f32.store offset=${r * 4} (local.get $d) (f32.load (local.get $p${r})))`);
      for (let r = 0; r < 4; r++) e(`        (local.set $p${r} (i32.add (local.get $p${r}) (i32.const 4)))`);
      e('        (local.set $d (i32.add (local.get $d) (i32.const 16)))');
      e('        (local.set $k (i32.sub (local.get $k) (i32.const 1)))');
      e('        (br $lk1)))');
      if (mode === 'tab') {
        e('      (local.set $ta (i32.add (local.get $ta) (local.get $tstride)))');
        e('      (br_if $lq (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $ntap))))');
      }
      e('      (local.set $i (i32.add (local.get $i) (i32.const 4)))');
      e('      (br $li)))');
      e('  )');
    }
    // The microkernel on a packed tile: A at $pa as [k][4] (one pointer, constant offsets).
    for (const fma of [1, 0]) {
      const madd = (a, b, c) =>
        fma ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add (f32x4.mul ${a} ${b}) ${c})`;
      e(`  (func $kernP${fma} (param $kc i32) (param $pa i32) (param $bp i32) (param $c i32) (param $ldc i32)`);
      e('    (param $mr i32) (param $nr i32) (param $acc i32)');
      const rows = [0, 1, 2, 3];
      const vecs = [...Array(NV).keys()];
      e(`    ${rows.flatMap((r) => vecs.map((v) => `(local $c${r}_${v} v128)`)).join(' ')}`);
      e(`    ${vecs.map((v) => `(local $b${v} v128)`).join(' ')} (local $s v128) (local $cr i32)`);
      emitKLoop(e, {
        U,
        NR,
        rows,
        vecs,
        madd,
        label: 'U',
        remainder: U > 1,
        splat: (u, r) => `offset=${(u * 4 + r) * 4} (local.get $pa)`,
        advance: (n) => [`(local.set $pa (i32.add (local.get $pa) (i32.const ${n * 16})))`],
      });
      emitStore(e, rows, vecs);
      e('  )');
    }
  }

  // ---- block: all tiles of an mc×nc block ------------------------------------------------
  // Panel p of Bp (columns p·NR…) starts at bp + p·ps. 'block': A by rows (a, lda);
  // 'blockInd': A by a table of row addresses (tab, koff added to each). fma 0/1: A packed
  // first (MR = 4), then the packed microkernel (mul+add / FMA); 2/3: the row-pointer
  // microkernel on A in place (the earlier path, kept for comparison). Both compute every
  // output as the same sum in the same order, so they give the same bits.
  for (const [name, mode] of [
    ['block', 'lda'],
    ['blockInd', 'tab'],
  ]) {
    e(`  (func (export "${name}") (param $mc i32) (param $nc i32) (param $kc i32) (param $a i32) (param $lda i32)`);
    e('    (param $bp i32) (param $ps i32) (param $c i32) (param $ldc i32) (param $acc i32) (param $fma i32)');
    if (mode === 'tab') e('    (param $ntap i32) (param $tstride i32)');
    e('    (local $j i32) (local $i i32) (local $panel i32) (local $kt i32)');
    e('    (local.set $panel (local.get $bp))');
    const cAt =
      '(i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2))))';
    const loops = (body) => {
      e('    (block $dj (loop $lj');
      e('      (br_if $dj (i32.ge_u (local.get $j) (local.get $nc)))');
      e('      (local.set $i (i32.const 0))');
      e('      (block $di (loop $li');
      e('        (br_if $di (i32.ge_u (local.get $i) (local.get $mc)))');
      e(`        ${body}`);
      e(`        (local.set $i (i32.add (local.get $i) (i32.const ${MR})))`);
      e('        (br $li)))');
      e('      (local.set $panel (i32.add (local.get $panel) (local.get $ps)))');
      e(`      (local.set $j (i32.add (local.get $j) (i32.const ${NR})))`);
      e('      (br $lj)))');
    };
    const rowA =
      mode === 'lda'
        ? '(i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda)))'
        : '(i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))';
    const callArgs = (fn) =>
      `(call ${fn} (local.get $kc) ${rowA} (local.get $lda) (i32.sub (local.get $mc) (local.get $i)) (local.get $panel) ${cAt} (local.get $ldc) (i32.sub (local.get $nc) (local.get $j)) (local.get $acc))`;
    if (MR === 4) {
      e('    (if (i32.lt_u (local.get $fma) (i32.const 2)) (then');
      // kt: the packed block's k length (blockInd: ntap taps of kc floats each).
      const packArgs = '(local.get $mc) (local.get $kc) (local.get $a) (local.get $lda) (global.get $pack)';
      if (mode === 'tab') {
        e('      (local.set $kt (i32.mul (local.get $kc) (local.get $ntap)))');
        e(`      (call $packAtab ${packArgs} (local.get $ntap) (local.get $tstride))`);
      } else {
        e('      (local.set $kt (local.get $kc))');
        e(`      (call $packAlda ${packArgs})`);
      }
      const pArgs = (fn) =>
        `(call ${fn} (local.get $kt) (i32.add (global.get $pack) (i32.mul (local.get $i) (i32.shl (local.get $kt) (i32.const 2)))) (local.get $panel) ${cAt} (local.get $ldc) (i32.sub (local.get $mc) (local.get $i)) (i32.sub (local.get $nc) (local.get $j)) (local.get $acc))`;
      loops(`(if (local.get $fma) (then ${pArgs('$kernP1')}) (else ${pArgs('$kernP0')}))`);
      e('      (return)))');
    }
    loops(
      `(if (i32.and (local.get $fma) (i32.const 1)) (then ${callArgs(`$kern1${mode}`)}) (else ${callArgs(`$kern0${mode}`)}))`,
    );
    e('  )');
  }

  // ---- packB ---------------------------------------------------------------------------
  e(
    '  (func (export "packB") (param $b i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $n i32) (param $out i32)',
  );
  e('    (local $j i32) (local $k i32) (local $jj i32) (local $row i32)');
  e('    (block $dj (loop $lj');
  e('      (br_if $dj (i32.ge_u (local.get $j) (local.get $n)))');
  e('      (local.set $k (i32.const 0))');
  e(
    `      (if (i32.and (i32.eq (local.get $cs) (i32.const 4)) (i32.le_u (i32.add (local.get $j) (i32.const ${NR})) (local.get $n))) (then`,
  );
  e('        (local.set $row (i32.add (local.get $b) (i32.mul (local.get $j) (i32.const 4))))');
  e('        (block $dk (loop $lk');
  e('          (br_if $dk (i32.ge_u (local.get $k) (local.get $kc)))');
  for (let v = 0; v < NV; v++) {
    e(`          (v128.store offset=${v * 16} (local.get $out) (v128.load offset=${v * 16} (local.get $row)))`);
  }
  e('          (local.set $row (i32.add (local.get $row) (local.get $rs)))');
  e(`          (local.set $out (i32.add (local.get $out) (i32.const ${NR * 4})))`);
  e('          (local.set $k (i32.add (local.get $k) (i32.const 1)))');
  e('          (br $lk)))');
  e('      ) (else');
  e('        (block $dk (loop $lk');
  e('          (br_if $dk (i32.ge_u (local.get $k) (local.get $kc)))');
  e('          (local.set $jj (i32.const 0))');
  e('          (block $djj (loop $ljj');
  e(`            (br_if $djj (i32.ge_u (local.get $jj) (i32.const ${NR})))`);
  e(
    '            (f32.store (local.get $out) (if (result f32) (i32.lt_u (i32.add (local.get $j) (local.get $jj)) (local.get $n))',
  );
  e(
    '              (then (f32.load (i32.add (local.get $b) (i32.add (i32.mul (local.get $k) (local.get $rs)) (i32.mul (i32.add (local.get $j) (local.get $jj)) (local.get $cs))))))',
  );
  e('              (else (f32.const 0))))');
  e('            (local.set $out (i32.add (local.get $out) (i32.const 4)))');
  e('            (local.set $jj (i32.add (local.get $jj) (i32.const 1)))');
  e('            (br $ljj)))');
  e('          (local.set $k (i32.add (local.get $k) (i32.const 1)))');
  e('          (br $lk)))');
  e('      ))');
  e(`      (local.set $j (i32.add (local.get $j) (i32.const ${NR})))`);
  e('      (br $lj)))');
  e('  )');

  // ---- peak: the micro-benchmark's register-only loop ------------------------------------
  e('  (func (export "peak") (param $n i32) (param $x f32) (param $fma i32) (result f32)');
  const P = 12;
  e(`    ${[...Array(P).keys()].map((i) => `(local $q${i} v128)`).join(' ')} (local $a v128) (local $m v128)`);
  e('    (local.set $a (f32x4.splat (local.get $x))) (local.set $m (f32x4.splat (f32.const 0.999)))');
  for (let i = 0; i < P; i++) e(`    (local.set $q${i} (f32x4.splat (f32.const ${i})))`);
  for (const fma of [1, 0]) {
    e(`    (if (i32.eq (local.get $fma) (i32.const ${fma})) (then (loop $l`);
    for (let i = 0; i < P; i++) {
      // q = q·m + a: each chain depends on itself, so nothing can be hoisted out of the loop.
      const q = `(local.get $q${i})`;
      e(
        `      (local.set $q${i} ${fma ? `(f32x4.relaxed_madd ${q} (local.get $m) (local.get $a))` : `(f32x4.add (f32x4.mul ${q} (local.get $m)) (local.get $a))`})`,
      );
    }
    e('      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))');
  }
  let sum = '(local.get $q0)';
  for (let i = 1; i < P; i++) sum = `(f32x4.add ${sum} (local.get $q${i}))`;
  e(`    (f32x4.extract_lane 0 ${sum}))`);
  genElementwise(e);
  genLayout(e);
  genBatchNorm(e);
  genCopyRuns(e);
  genBinary(e);
  e(')');
  return L.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mr, nr, u] = process.argv.slice(2).map(Number);
  process.stdout.write(genWat(mr || 6, nr || 8, u || 1));
}
