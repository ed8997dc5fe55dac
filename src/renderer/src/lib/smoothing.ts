/**
 * Curve smoothing for the training charts.
 *
 * The same debiased exponential moving average TensorBoard uses: a plain EMA
 * starts at 0 and drags the first points down, so each value is divided by
 * (1 - w^k), where k counts the finite values seen so far. Non-finite values
 * (NaN, ±Infinity) are passed through as they are and do not disturb the
 * average, so a NaN step shows as a gap instead of poisoning the whole curve.
 */

/**
 * Smooth `values` with weight `weight` in [0, 1): 0 returns a copy, values
 * near 1 average over more points (about 1 / (1 - weight)).
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(Number.isFinite(weight) ? weight : 0, 0), 0.9999);
  if (w === 0) return values.slice();
  const out = new Array<number>(values.length);
  let last = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    count++;
    out[i] = last / (1 - Math.pow(w, count));
  }
  return out;
}

/**
 * Keep at most `maxPoints` points of a long series for drawing, by taking
 * every n-th one and always the last one (the live end of the curve). Index
 * pairs stay aligned across series that share the same x values.
 */
export function decimate<T>(points: readonly T[], maxPoints: number): T[] {
  if (maxPoints < 2 || points.length <= maxPoints) return points.slice();
  const stride = Math.ceil(points.length / maxPoints);
  const out: T[] = [];
  for (let i = 0; i < points.length; i += stride) out.push(points[i]);
  if ((points.length - 1) % stride !== 0) out.push(points[points.length - 1]);
  return out;
}
