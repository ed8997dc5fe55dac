/**
 * Gaussian and Laplacian image pyramids, as in PGGAN's sliced-Wasserstein
 * metric (Karras et al. 2018, metrics/sliced_wasserstein.py): a 5×5 binomial
 * filter ([1 4 6 4 1]/16 in each direction) with mirror borders, then every
 * second pixel; a Laplacian level is an image minus its blurred, upsampled
 * half-size copy, and the last level is the coarsest Gaussian image.
 *
 * Images are Float32Array NHWC planes; everything here is plain loops (the
 * images are small and the filter is separable).
 */

const TAPS = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16];

export interface Planes {
  count: number;
  size: number;
  channels: number;
  data: Float32Array;
}

/** scipy.ndimage 'mirror' border: …2 1 | 0 1 2 … n−1 | n−2 … */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/** The separable 5-tap blur of every plane, scaled by `gain` (4 when blurring a zero-stuffed upsample). */
function blur(p: Planes, gain = 1): Planes {
  const { count, size, channels, data } = p;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  const row = size * channels;
  const per = size * row;
  for (let n = 0; n < count; n++) {
    const base = n * per;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < channels; c++) {
          let s = 0;
          for (let t = 0; t < 5; t++) s += TAPS[t] * data[base + y * row + mirror(x + t - 2, size) * channels + c];
          tmp[base + y * row + x * channels + c] = s;
        }
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < channels; c++) {
          let s = 0;
          for (let t = 0; t < 5; t++) s += TAPS[t] * tmp[base + mirror(y + t - 2, size) * row + x * channels + c];
          out[base + y * row + x * channels + c] = gain * s;
        }
  }
  return { count, size, channels, data: out };
}

/** Blur, then keep every second pixel: size → ceil(size / 2). */
function pyramidDown(p: Planes): Planes {
  const b = blur(p);
  const half = Math.ceil(p.size / 2);
  const { count, channels } = p;
  const out = new Float32Array(count * half * half * channels);
  for (let n = 0; n < count; n++)
    for (let y = 0; y < half; y++)
      for (let x = 0; x < half; x++)
        for (let c = 0; c < channels; c++) {
          out[((n * half + y) * half + x) * channels + c] =
            b.data[((n * p.size + 2 * y) * p.size + 2 * x) * channels + c];
        }
  return { count, size: half, channels, data: out };
}

/** Zero-stuff to `size`, then blur with gain 4: the inverse step of pyramidDown. */
function pyramidUp(p: Planes, size: number): Planes {
  const { count, channels } = p;
  const stuffed = new Float32Array(count * size * size * channels);
  for (let n = 0; n < count; n++)
    for (let y = 0; y < p.size && 2 * y < size; y++)
      for (let x = 0; x < p.size && 2 * x < size; x++)
        for (let c = 0; c < channels; c++) {
          stuffed[((n * size + 2 * y) * size + 2 * x) * channels + c] =
            p.data[((n * p.size + y) * p.size + x) * channels + c];
        }
  return blur({ count, size, channels, data: stuffed }, 4);
}

/**
 * Sizes of the pyramid levels for an image side: halve down to 16 px (PGGAN
 * stops at 16), or to the last size of at least 7 px for images under 64 px
 * (28 → 14 → 7), so small images still get three scales.
 */
export function pyramidSizes(size: number): number[] {
  const floor = size >= 64 ? 16 : 7;
  const sizes = [size];
  while (Math.ceil(sizes[sizes.length - 1] / 2) >= floor) sizes.push(Math.ceil(sizes[sizes.length - 1] / 2));
  return sizes;
}

/** The Laplacian pyramid, finest level first; the last level is the coarsest Gaussian image. */
export function laplacianPyramid(p: Planes): Planes[] {
  const sizes = pyramidSizes(p.size);
  const levels: Planes[] = [];
  let current = p;
  for (let i = 0; i < sizes.length - 1; i++) {
    const down = pyramidDown(current);
    const up = pyramidUp(down, current.size);
    const diff = new Float32Array(current.data.length);
    for (let j = 0; j < diff.length; j++) diff[j] = current.data[j] - up.data[j];
    levels.push({ ...current, data: diff });
    current = down;
  }
  levels.push(current);
  return levels;
}
