/**
 * Kernel Inception Distance (Bińkowski et al. 2018) in our own features: the
 * unbiased estimate of the squared MMD with the cubic polynomial kernel
 * k(x, y) = (x·y / d + 1)³,
 *   KID = Σ_{i≠j} k(x_i, x_j) / m(m−1) + Σ_{i≠j} k(y_i, y_j) / n(n−1) − 2 Σ k(x_i, y_j) / mn.
 * Its expectation is 0 when both sets come from one distribution, so it can go
 * slightly negative; unlike FID it has no bias that depends on the set size.
 */
import * as tf from '@tensorflow/tfjs';

/** Reads a scalar tensor back asynchronously (every backend can; webgpu in Node cannot synchronously) and disposes it. */
async function readScalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

async function kernelSums(
  x: Float32Array,
  y: Float32Array,
  dim: number,
): Promise<{ xx: number; yy: number; xy: number }> {
  const m = x.length / dim;
  const n = y.length / dim;
  const [xx, yy, xy] = tf.tidy(() => {
    const a = tf.tensor2d(x, [m, dim]);
    const b = tf.tensor2d(y, [n, dim]);
    const k = (p: tf.Tensor2D, q: tf.Tensor2D) => tf.pow(tf.add(tf.div(tf.matMul(p, q, false, true), dim), 1), 3);
    const kxx = k(a, a);
    const kyy = k(b, b);
    // Off-diagonal sums: total minus the trace.
    const off = (g: tf.Tensor) => tf.sub(tf.sum(g), tf.sum(tf.mul(g, tf.eye(g.shape[0]))));
    return [off(kxx), off(kyy), tf.sum(k(a, b))];
  });
  return { xx: await readScalar(xx), yy: await readScalar(yy), xy: await readScalar(xy) };
}

/** Unbiased KID of two feature sets [m, dim] and [n, dim] (m, n ≥ 2). */
export async function kernelInceptionDistance(x: Float32Array, y: Float32Array, dim: number): Promise<number> {
  const m = x.length / dim;
  const n = y.length / dim;
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 2 || n < 2)
    throw new RangeError(`KID needs at least 2 vectors of dimension ${dim} per set`);
  const s = await kernelSums(x, y, dim);
  return s.xx / (m * (m - 1)) + s.yy / (n * (n - 1)) - (2 * s.xy) / (m * n);
}

/** The biased (V-statistic) MMD², which includes the diagonal: only to show, in tests, what unbiasedness buys. */
export async function biasedMmd(x: Float32Array, y: Float32Array, dim: number): Promise<number> {
  const m = x.length / dim;
  const n = y.length / dim;
  const s = await kernelSums(x, y, dim);
  const diag = (v: Float32Array, count: number) => {
    let t = 0;
    for (let i = 0; i < count; i++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += v[i * dim + j] ** 2;
      t += (dot / dim + 1) ** 3;
    }
    return t;
  };
  return (s.xx + diag(x, m)) / (m * m) + (s.yy + diag(y, n)) / (n * n) - (2 * s.xy) / (m * n);
}

/** Mean Euclidean distance between distinct pairs of a feature set [n, dim]: how varied the set is. */
export async function meanPairwiseDistance(x: Float32Array, dim: number): Promise<number> {
  const n = x.length / dim;
  if (n < 2) throw new RangeError('diversity needs at least 2 vectors');
  const total = tf.tidy(() => {
    const a = tf.tensor2d(x, [n, dim]);
    const sq = tf.sum(tf.square(a), 1);
    const d2 = tf.relu(tf.sub(tf.add(sq.reshape([n, 1]), sq.reshape([1, n])), tf.mul(2, tf.matMul(a, a, false, true))));
    const d = tf.mul(tf.sqrt(d2), tf.sub(1, tf.eye(n))); // zero the diagonal (rounding leaves it near 0, not at it)
    return tf.sum(d);
  });
  return (await readScalar(total)) / (n * (n - 1));
}
