/**
 * Ascending sort of a Float32Array by LSD radix on its bit patterns (three
 * 11-bit passes). SWD sorts hundreds of columns of tens of thousands of
 * projections per evaluation; this is several times faster than
 * TypedArray.prototype.sort there. NaN is not expected (the inputs are
 * finite projections).
 */
export function radixSortFloat32(values: Float32Array): Float32Array {
  const n = values.length;
  // Map each float's bits to an unsigned key whose order is the float order:
  // negative numbers flip all bits, positive ones flip the sign bit.
  let keys = new Uint32Array(n);
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  let tmp = new Uint32Array(n);
  const counts = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & 2047]++;
    let sum = 0;
    for (let d = 0; d < 2048; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) tmp[counts[(keys[i] >>> shift) & 2047]++] = keys[i];
    [keys, tmp] = [tmp, keys];
  }
  const out = new Float32Array(n);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    outBits[i] = k & 0x80000000 ? (k & 0x7fffffff) >>> 0 : ~k >>> 0;
  }
  return out;
}
