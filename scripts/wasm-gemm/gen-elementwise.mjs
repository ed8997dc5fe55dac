/**
 * The element-wise and reduction functions of GAN Studio's wasm module (appended to the
 * GEMM's by ./gen-wat.mjs, so that the GEMM pool's workers run them too; see
 * src/engine/backend/wasm-elementwise.ts). All addresses are byte addresses on the tfjs
 * heap; f32 scalars come as their i32 bits (the pool passes i32 arguments only).
 *
 * - `leaky(x, out, n, alpha)`: out = max(x, α·x), i.e. x < 0 ? α·x : x for 0 ≤ α ≤ 1.
 * - `leakyGrad(dy, x, out, n, alpha)`: out = dy · Step(x, α) (Step = x > 0 ? 1 : α, NaN
 *   for NaN x), the same multiply tfjs's Step + Multiply make, in one pass.
 * - `colSum(src, rows, cols, ld, acc)`: acc[c] (f64) = Σ_r src[r·ld + c], rows in order
 *   (the same sums, in the same order, as a float64 JS loop).
 * - `adam(p, m, v, g, n, params, outP, outM, outV)`: one Adam update, exactly the
 *   float32 operations of the op chain in src/engine/train/adam.ts, in its order;
 *   params = f32 [β1, 1−β1, β2, 1−β2, 1/√(1−β2ᵗ), ε, step size].
 * - `binop(a, b, out, n, len, mode)`: Add / Sub / Multiply / RealDiv, same sizes or one side
 *   repeated along the last axis or a scalar (see genBinary).
 */

/** A loop over n floats: `vec` handles 4 at byte offset $o, `one` handles 1; both get (o) as WAT text. */
function loop4(e, vec, one) {
  e('    (local.set $o (i32.const 0))');
  e('    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))');
  e('    (local.set $n4 (i32.shl (local.get $n4) (i32.const 2)))');
  e('    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))');
  e('    (block $dv (loop $lv');
  e('      (br_if $dv (i32.ge_u (local.get $o) (local.get $n4)))');
  vec();
  e('      (local.set $o (i32.add (local.get $o) (i32.const 16)))');
  e('      (br $lv)))');
  e('    (block $ds (loop $ls');
  e('      (br_if $ds (i32.ge_u (local.get $o) (local.get $nb)))');
  one();
  e('      (local.set $o (i32.add (local.get $o) (i32.const 4)))');
  e('      (br $ls)))');
}

const at = (base) => `(i32.add (local.get ${base}) (local.get $o))`;
const LOCALS = '(local $o i32) (local $n4 i32) (local $nb i32)';

export function genElementwise(e) {
  // ---- leaky ------------------------------------------------------------------------------
  e('  (func (export "leaky") (param $x i32) (param $out i32) (param $n i32) (param $ab i32)');
  e(`    ${LOCALS} (local $a v128) (local $v v128) (local $s f32)`);
  e('    (local.set $a (f32x4.splat (f32.reinterpret_i32 (local.get $ab))))');
  loop4(
    e,
    () => {
      e(`      (local.set $v (v128.load ${at('$x')}))`);
      e(`      (v128.store ${at('$out')} (f32x4.max (local.get $v) (f32x4.mul (local.get $v) (local.get $a))))`);
    },
    () => {
      e(`      (local.set $s (f32.load ${at('$x')}))`);
      e(
        `      (f32.store ${at('$out')} (f32.max (local.get $s) (f32.mul (local.get $s) (f32.reinterpret_i32 (local.get $ab)))))`,
      );
    },
  );
  e('  )');

  // ---- leakyGrad --------------------------------------------------------------------------
  e('  (func (export "leakyGrad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32) (param $ab i32)');
  e(`    ${LOCALS} (local $a v128) (local $one v128) (local $v v128) (local $st v128) (local $s f32) (local $t f32)`);
  e('    (local.set $a (f32x4.splat (f32.reinterpret_i32 (local.get $ab))))');
  e('    (local.set $one (f32x4.splat (f32.const 1)))');
  loop4(
    e,
    () => {
      e(`      (local.set $v (v128.load ${at('$x')}))`);
      // Step: 1 where x > 0, α elsewhere, x itself where x is NaN (so NaN propagates).
      e(
        '      (local.set $st (v128.bitselect (local.get $one) (local.get $a) (f32x4.gt (local.get $v) (f32x4.splat (f32.const 0)))))',
      );
      e(
        '      (local.set $st (v128.bitselect (local.get $v) (local.get $st) (f32x4.ne (local.get $v) (local.get $v))))',
      );
      e(`      (v128.store ${at('$out')} (f32x4.mul (v128.load ${at('$dy')}) (local.get $st)))`);
    },
    () => {
      e(`      (local.set $s (f32.load ${at('$x')}))`);
      e(
        '      (local.set $t (select (f32.const 1) (f32.reinterpret_i32 (local.get $ab)) (f32.gt (local.get $s) (f32.const 0))))',
      );
      e('      (local.set $t (select (local.get $s) (local.get $t) (f32.ne (local.get $s) (local.get $s))))');
      e(`      (f32.store ${at('$out')} (f32.mul (f32.load ${at('$dy')}) (local.get $t)))`);
    },
  );
  e('  )');

  // ---- colSum -----------------------------------------------------------------------------
  e('  (func (export "colSum") (param $src i32) (param $rows i32) (param $cols i32) (param $ld i32) (param $acc i32)');
  e('    (local $r i32) (local $c i32) (local $row i32) (local $v v128) (local $c4 i32)');
  e('    (local.set $c (i32.const 0))');
  e('    (block $dz (loop $lz');
  e('      (br_if $dz (i32.ge_u (local.get $c) (local.get $cols)))');
  e('      (f64.store (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3))) (f64.const 0))');
  e('      (local.set $c (i32.add (local.get $c) (i32.const 1)))');
  e('      (br $lz)))');
  e('    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))');
  e('    (local.set $row (local.get $src))');
  e('    (block $dr (loop $lr');
  e('      (br_if $dr (i32.ge_u (local.get $r) (local.get $rows)))');
  e('      (local.set $c (i32.const 0))');
  e('      (block $dc (loop $lc');
  e('        (br_if $dc (i32.ge_u (local.get $c) (local.get $c4)))');
  e('        (local.set $v (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))))');
  const a = '(i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))';
  e(`        (v128.store ${a} (f64x2.add (v128.load ${a}) (f64x2.promote_low_f32x4 (local.get $v))))`);
  e(
    `        (v128.store offset=16 ${a} (f64x2.add (v128.load offset=16 ${a}) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))`,
  );
  e('        (local.set $c (i32.add (local.get $c) (i32.const 4)))');
  e('        (br $lc)))');
  e('      (block $dt (loop $lt');
  e('        (br_if $dt (i32.ge_u (local.get $c) (local.get $cols)))');
  e(
    `        (f64.store ${a} (f64.add (f64.load ${a}) (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2)))))))`,
  );
  e('        (local.set $c (i32.add (local.get $c) (i32.const 1)))');
  e('        (br $lt)))');
  e('      (local.set $row (i32.add (local.get $row) (local.get $ld)))');
  e('      (local.set $r (i32.add (local.get $r) (i32.const 1)))');
  e('      (br $lr)))');
  e('  )');

  // ---- adam -------------------------------------------------------------------------------
  e(
    '  (func (export "adam") (param $p i32) (param $m i32) (param $v i32) (param $g i32) (param $n i32) (param $prm i32)',
  );
  e('    (param $op i32) (param $om i32) (param $ov i32)');
  e(`    ${LOCALS} (local $gv v128) (local $mv v128) (local $vv v128)`);
  const names = ['b1', 'c1', 'b2', 'c2', 'ib', 'eps', 'lr'];
  e(`    ${names.map((k) => `(local $${k} v128) (local $${k}s f32)`).join(' ')}`);
  e('    (local $gs f32) (local $ms f32) (local $vs f32)');
  names.forEach((k, i) => {
    e(`    (local.set $${k}s (f32.load offset=${i * 4} (local.get $prm)))`);
    e(`    (local.set $${k} (f32x4.splat (local.get $${k}s)))`);
  });
  // The op chain's order: m' = m·β1 + g·(1−β1); v' = v·β2 + g²·(1−β2);
  // p' = p − (m' / (√v'·ib + ε))·lr. Plain multiplies and adds (no FMA), as XNNPACK does.
  const body = (T, ld, st, add, sub, mul, div, sqrt, sfx) => {
    e(`      (local.set $g${T} (${ld} ${at('$g')}))`);
    e(
      `      (local.set $m${T} (${add} (${mul} (${ld} ${at('$m')}) (local.get $b1${sfx})) (${mul} (local.get $g${T}) (local.get $c1${sfx}))))`,
    );
    e(
      `      (local.set $v${T} (${add} (${mul} (${ld} ${at('$v')}) (local.get $b2${sfx})) (${mul} (${mul} (local.get $g${T}) (local.get $g${T})) (local.get $c2${sfx}))))`,
    );
    e(`      (${st} ${at('$om')} (local.get $m${T}))`);
    e(`      (${st} ${at('$ov')} (local.get $v${T}))`);
    e(
      `      (${st} ${at('$op')} (${sub} (${ld} ${at('$p')}) (${mul} (${div} (local.get $m${T}) (${add} (${mul} (${sqrt} (local.get $v${T})) (local.get $ib${sfx})) (local.get $eps${sfx}))) (local.get $lr${sfx}))))`,
    );
  };
  loop4(
    e,
    () => body('v', 'v128.load', 'v128.store', 'f32x4.add', 'f32x4.sub', 'f32x4.mul', 'f32x4.div', 'f32x4.sqrt', ''),
    () => body('s', 'f32.load', 'f32.store', 'f32.add', 'f32.sub', 'f32.mul', 'f32.div', 'f32.sqrt', 's'),
  );
  e('  )');
}

/**
 * Layout moves for the dW convolution path (src/engine/backend/wasm-conv-filter.ts):
 *
 * - `transpose(src, rows, cols, sld, dst, dld)`: dst[j·dld + i] = src[i·sld + j] (ld in
 *   bytes), i < rows, j < cols, by 4×4 blocks of v128 loads, shuffles and stores.
 * - `swapRuns(src, a0, a1, B, A, R, dst)`: for a in [a0, a1), b < B: the run of R floats at
 *   src[(a·B + b)·R] to dst[(b·A + a)·R] ([A, B, R] → [B, A, R]).
 */
export function genLayout(e) {
  e('  (func (export "transpose") (param $src i32) (param $rows i32) (param $cols i32) (param $sld i32)');
  e('    (param $dst i32) (param $dld i32)');
  e('    (local $i i32) (local $j i32) (local $s i32) (local $d i32) (local $r4 i32) (local $c4 i32)');
  e(
    '    (local $a v128) (local $b v128) (local $c v128) (local $dd v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)',
  );
  e('    (local.set $r4 (i32.and (local.get $rows) (i32.const -4)))');
  e('    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))');
  // 4×4 blocks.
  e('    (block $di (loop $li');
  e('      (br_if $di (i32.ge_u (local.get $i) (local.get $r4)))');
  e('      (local.set $j (i32.const 0))');
  e('      (block $dj (loop $lj');
  e('        (br_if $dj (i32.ge_u (local.get $j) (local.get $c4)))');
  e(
    '        (local.set $s (i32.add (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $sld))) (i32.shl (local.get $j) (i32.const 2))))',
  );
  e('        (local.set $a (v128.load (local.get $s)))');
  e('        (local.set $s (i32.add (local.get $s) (local.get $sld)))');
  e('        (local.set $b (v128.load (local.get $s)))');
  e('        (local.set $s (i32.add (local.get $s) (local.get $sld)))');
  e('        (local.set $c (v128.load (local.get $s)))');
  e('        (local.set $s (i32.add (local.get $s) (local.get $sld)))');
  e('        (local.set $dd (v128.load (local.get $s)))');
  const sh = (x, y, lanes) =>
    `(i8x16.shuffle ${lanes.flatMap((l) => [0, 1, 2, 3].map((k) => l * 4 + k)).join(' ')} (local.get ${x}) (local.get ${y}))`;
  e(`        (local.set $t0 ${sh('$a', '$b', [0, 4, 1, 5])})`);
  e(`        (local.set $t1 ${sh('$a', '$b', [2, 6, 3, 7])})`);
  e(`        (local.set $t2 ${sh('$c', '$dd', [0, 4, 1, 5])})`);
  e(`        (local.set $t3 ${sh('$c', '$dd', [2, 6, 3, 7])})`);
  e(
    '        (local.set $d (i32.add (i32.add (local.get $dst) (i32.mul (local.get $j) (local.get $dld))) (i32.shl (local.get $i) (i32.const 2))))',
  );
  e(`        (v128.store (local.get $d) ${sh('$t0', '$t2', [0, 1, 4, 5])})`);
  e('        (local.set $d (i32.add (local.get $d) (local.get $dld)))');
  e(`        (v128.store (local.get $d) ${sh('$t0', '$t2', [2, 3, 6, 7])})`);
  e('        (local.set $d (i32.add (local.get $d) (local.get $dld)))');
  e(`        (v128.store (local.get $d) ${sh('$t1', '$t3', [0, 1, 4, 5])})`);
  e('        (local.set $d (i32.add (local.get $d) (local.get $dld)))');
  e(`        (v128.store (local.get $d) ${sh('$t1', '$t3', [2, 3, 6, 7])})`);
  e('        (local.set $j (i32.add (local.get $j) (i32.const 4)))');
  e('        (br $lj)))');
  e('      (local.set $i (i32.add (local.get $i) (i32.const 4)))');
  e('      (br $li)))');
  // Edges one float at a time: columns ≥ c4 of every row, then rows ≥ r4 of the first c4 columns.
  const one = (i0, i1, j0, j1) => {
    e(`    (local.set $i ${i0})`);
    e('    (block $ei (loop $lei');
    e(`      (br_if $ei (i32.ge_u (local.get $i) ${i1}))`);
    e(`      (local.set $j ${j0})`);
    e('      (block $ej (loop $lej');
    e(`        (br_if $ej (i32.ge_u (local.get $j) ${j1}))`);
    e(
      '        (f32.store (i32.add (i32.add (local.get $dst) (i32.mul (local.get $j) (local.get $dld))) (i32.shl (local.get $i) (i32.const 2)))',
    );
    e(
      '          (f32.load (i32.add (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $sld))) (i32.shl (local.get $j) (i32.const 2)))))',
    );
    e('        (local.set $j (i32.add (local.get $j) (i32.const 1)))');
    e('        (br $lej)))');
    e('      (local.set $i (i32.add (local.get $i) (i32.const 1)))');
    e('      (br $lei)))');
  };
  one('(i32.const 0)', '(local.get $rows)', '(local.get $c4)', '(local.get $cols)');
  one('(local.get $r4)', '(local.get $rows)', '(i32.const 0)', '(local.get $c4)');
  e('  )');

  e('  (func (export "swapRuns") (param $src i32) (param $a0 i32) (param $a1 i32) (param $B i32) (param $A i32)');
  e('    (param $R i32) (param $dst i32)');
  e('    (local $a i32) (local $b i32) (local $s i32) (local $d i32) (local $k i32) (local $rb i32) (local $r16 i32)');
  e('    (local.set $rb (i32.shl (local.get $R) (i32.const 2)))');
  e('    (local.set $r16 (i32.and (local.get $rb) (i32.const -16)))');
  e('    (local.set $a (local.get $a0))');
  e('    (block $da (loop $la');
  e('      (br_if $da (i32.ge_u (local.get $a) (local.get $a1)))');
  e('      (local.set $b (i32.const 0))');
  e('      (block $db (loop $lb');
  e('        (br_if $db (i32.ge_u (local.get $b) (local.get $B)))');
  e(
    '        (local.set $s (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (local.get $a) (local.get $B)) (local.get $b)) (local.get $rb))))',
  );
  e(
    '        (local.set $d (i32.add (local.get $dst) (i32.mul (i32.add (i32.mul (local.get $b) (local.get $A)) (local.get $a)) (local.get $rb))))',
  );
  emitRunCopy(e);
  e('        (local.set $b (i32.add (local.get $b) (i32.const 1)))');
  e('        (br $lb)))');
  e('      (local.set $a (i32.add (local.get $a) (i32.const 1)))');
  e('      (br $la)))');
  e('  )');
}

/**
 * The copy of one run of $rb bytes from $s to $d (16 bytes at a time up to $r16, then floats),
 * with $k as its counter: the inner loop of swapRuns and of copyRuns.
 */
function emitRunCopy(e) {
  e('        (local.set $k (i32.const 0))');
  e('        (block $dk (loop $lk');
  e('          (br_if $dk (i32.ge_u (local.get $k) (local.get $r16)))');
  e(
    '          (v128.store (i32.add (local.get $d) (local.get $k)) (v128.load (i32.add (local.get $s) (local.get $k))))',
  );
  e('          (local.set $k (i32.add (local.get $k) (i32.const 16)))');
  e('          (br $lk)))');
  e('        (block $dt (loop $lt');
  e('          (br_if $dt (i32.ge_u (local.get $k) (local.get $rb)))');
  e('          (f32.store (i32.add (local.get $d) (local.get $k)) (f32.load (i32.add (local.get $s) (local.get $k))))');
  e('          (local.set $k (i32.add (local.get $k) (i32.const 4)))');
  e('          (br $lt)))');
}

/**
 * `bnorm(x, out, rows0, rows1, C, mean, inv, off)`: rows [rows0, rows1) of x [rows, C]:
 * out = (x − mean[c]) · inv[c] + off[c] (a multiply, then an add), per-channel f32 arrays
 * at mean, inv, off (src/engine/backend/wasm-batchnorm.ts).
 */
export function genBatchNorm(e) {
  e('  (func (export "bnorm") (param $x i32) (param $out i32) (param $r0 i32) (param $r1 i32) (param $C i32)');
  e('    (param $mean i32) (param $inv i32) (param $off i32)');
  e(
    '    (local $r i32) (local $c i32) (local $row i32) (local $orow i32) (local $cb i32) (local $c16 i32) (local $o i32)',
  );
  e('    (local.set $cb (i32.shl (local.get $C) (i32.const 2)))');
  e('    (local.set $c16 (i32.and (local.get $cb) (i32.const -16)))');
  e('    (local.set $r (local.get $r0))');
  e('    (block $dr (loop $lr');
  e('      (br_if $dr (i32.ge_u (local.get $r) (local.get $r1)))');
  e('      (local.set $row (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $cb))))');
  e('      (local.set $orow (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $cb))))');
  e('      (local.set $o (i32.const 0))');
  e('      (block $dc (loop $lc');
  e('        (br_if $dc (i32.ge_u (local.get $o) (local.get $c16)))');
  e(
    '        (v128.store (i32.add (local.get $orow) (local.get $o)) (f32x4.add (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $row) (local.get $o))) (v128.load (i32.add (local.get $mean) (local.get $o)))) (v128.load (i32.add (local.get $inv) (local.get $o)))) (v128.load (i32.add (local.get $off) (local.get $o)))))',
  );
  e('        (local.set $o (i32.add (local.get $o) (i32.const 16)))');
  e('        (br $lc)))');
  e('      (block $dt (loop $lt');
  e('        (br_if $dt (i32.ge_u (local.get $o) (local.get $cb)))');
  e(
    '        (f32.store (i32.add (local.get $orow) (local.get $o)) (f32.add (f32.mul (f32.sub (f32.load (i32.add (local.get $row) (local.get $o))) (f32.load (i32.add (local.get $mean) (local.get $o)))) (f32.load (i32.add (local.get $inv) (local.get $o)))) (f32.load (i32.add (local.get $off) (local.get $o)))))',
  );
  e('        (local.set $o (i32.add (local.get $o) (i32.const 4)))');
  e('        (br $lt)))');
  e('      (local.set $r (i32.add (local.get $r) (i32.const 1)))');
  e('      (br $lr)))');
  e('  )');
}

/**
 * `copyRuns(src, dst, rows, runs, R, srow, drow, drun)`: for r < rows, v < runs: the R
 * floats at src + r·srow + v·R·4 to dst + r·drow + v·drun (byte strides): the sub-pixel
 * phases of Conv2DBackpropInput (src/engine/backend/wasm-conv-input.ts) interleaved into dx.
 */
export function genCopyRuns(e) {
  e('  (func (export "copyRuns") (param $src i32) (param $dst i32) (param $rows i32) (param $runs i32) (param $R i32)');
  e('    (param $srow i32) (param $drow i32) (param $drun i32)');
  e('    (local $r i32) (local $v i32) (local $s i32) (local $d i32) (local $k i32) (local $rb i32) (local $r16 i32)');
  e('    (local.set $rb (i32.shl (local.get $R) (i32.const 2)))');
  e('    (local.set $r16 (i32.and (local.get $rb) (i32.const -16)))');
  e('    (block $dr (loop $lr');
  e('      (br_if $dr (i32.ge_u (local.get $r) (local.get $rows)))');
  e('      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $srow))))');
  e('      (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $drow))))');
  e('      (local.set $v (i32.const 0))');
  e('      (block $dv (loop $lv');
  e('        (br_if $dv (i32.ge_u (local.get $v) (local.get $runs)))');
  emitRunCopy(e);
  e('        (local.set $s (i32.add (local.get $s) (local.get $rb)))');
  e('        (local.set $d (i32.add (local.get $d) (local.get $drun)))');
  e('        (local.set $v (i32.add (local.get $v) (i32.const 1)))');
  e('        (br $lv)))');
  e('      (local.set $r (i32.add (local.get $r) (i32.const 1)))');
  e('      (br $lr)))');
  e('  )');
}

/**
 * `binop(a, b, out, n, len, mode)` (session 9): out[i] = a' op b' for i < n, op = mode & 3
 * (0 add, 1 sub, 2 mul, 3 div), side = mode >> 2: 0 both a and b have n floats; 1 b has len floats,
 * repeated (b' = b[i mod len]; n a multiple of len); 2 the same for a. len = 1 is a scalar
 * (splatted). One IEEE f32 operation per output, as XNNPACK's kernels make: the same bits.
 */
export function genBinary(e) {
  const OPS = ['add', 'sub', 'mul', 'div'];
  for (const [k, op] of OPS.entries()) {
    // Rows of rl floats; the small side's pointer (side 1: b, side 2: a) goes back to its start every row.
    e(
      `  (func $binRows${k} (param $a i32) (param $b i32) (param $out i32) (param $rows i32) (param $rl i32) (param $side i32)`,
    );
    e(`    ${LOCALS} (local $n i32)`);
    e('    (local.set $n (local.get $rl))');
    e('    (block $dr (loop $lr');
    e('      (br_if $dr (i32.eqz (local.get $rows)))');
    loop4(
      e,
      () => e(`      (v128.store ${at('$out')} (f32x4.${op} (v128.load ${at('$a')}) (v128.load ${at('$b')})))`),
      () => e(`      (f32.store ${at('$out')} (f32.${op} (f32.load ${at('$a')}) (f32.load ${at('$b')})))`),
    );
    e('      (local.set $out (i32.add (local.get $out) (local.get $nb)))');
    e(
      '      (if (i32.ne (local.get $side) (i32.const 2)) (then (local.set $a (i32.add (local.get $a) (local.get $nb)))))',
    );
    e(
      '      (if (i32.ne (local.get $side) (i32.const 1)) (then (local.set $b (i32.add (local.get $b) (local.get $nb)))))',
    );
    e('      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))');
    e('      (br $lr)))');
    e('  )');
    // A scalar side: side 1 b = s, side 2 a = s; x is the other operand.
    for (const side of [1, 2]) {
      e(`  (func $binSplat${k}_${side} (param $x i32) (param $s i32) (param $out i32) (param $n i32)`);
      e(`    ${LOCALS} (local $v v128) (local $f f32)`);
      e('    (local.set $f (f32.load (local.get $s)))');
      e('    (local.set $v (f32x4.splat (local.get $f)))');
      const [va, vb] =
        side === 1 ? [`(v128.load ${at('$x')})`, '(local.get $v)'] : ['(local.get $v)', `(v128.load ${at('$x')})`];
      const [fa, fb] =
        side === 1 ? [`(f32.load ${at('$x')})`, '(local.get $f)'] : ['(local.get $f)', `(f32.load ${at('$x')})`];
      loop4(
        e,
        () => e(`      (v128.store ${at('$out')} (f32x4.${op} ${va} ${vb}))`),
        () => e(`      (f32.store ${at('$out')} (f32.${op} ${fa} ${fb}))`),
      );
      e('  )');
    }
  }
  e(
    '  (func (export "binop") (param $a i32) (param $b i32) (param $out i32) (param $n i32) (param $len i32) (param $mode i32)',
  );
  e('    (local $op i32) (local $side i32)');
  e('    (local.set $op (i32.and (local.get $mode) (i32.const 3)))');
  e('    (local.set $side (i32.shr_u (local.get $mode) (i32.const 2)))');
  for (let k = 0; k < OPS.length; k++) {
    e(`    (if (i32.eq (local.get $op) (i32.const ${k})) (then`);
    e('      (if (i32.and (i32.eq (local.get $len) (i32.const 1)) (i32.ne (local.get $side) (i32.const 0))) (then');
    e(
      `        (if (i32.eq (local.get $side) (i32.const 1)) (then (call $binSplat${k}_1 (local.get $a) (local.get $b) (local.get $out) (local.get $n)))`,
    );
    e(`          (else (call $binSplat${k}_2 (local.get $b) (local.get $a) (local.get $out) (local.get $n))))`);
    e('        (return)))');
    e('      (if (i32.eqz (local.get $side))');
    e(
      `        (then (call $binRows${k} (local.get $a) (local.get $b) (local.get $out) (i32.const 1) (local.get $n) (i32.const 0)))`,
    );
    e(
      `        (else (call $binRows${k} (local.get $a) (local.get $b) (local.get $out) (i32.div_u (local.get $n) (local.get $len)) (local.get $len) (local.get $side))))`,
    );
    e('      (return)))');
  }
  e('  )');
}
