/** The custom layers' maths: spectral norm, the normalizations, pixel shuffle, minibatch stddev, pooling, dropout noise, conditional BN, projection. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GanLayers,
  customLayersIn,
  projectionLayersOf,
  setNoiseSeed,
  spectralNormLayersOf,
} from '../../../src/engine/layers';
import { buildDiscriminator } from '../../../src/engine/models/dcgan';
import { onBackend } from '../../helpers/tf';

beforeAll(() => onBackend('wasm'));

/** Largest singular value of a [rows, cols] matrix, by many float64 power iterations. */
function sigmaMax(values: Float32Array, rows: number, cols: number): number {
  let v = Array.from({ length: cols }, (_, i) => Math.sin(i + 1));
  let s = 0;
  for (let it = 0; it < 2000; it++) {
    const u = Array.from({ length: rows }, (_, r) => v.reduce((acc, vj, j) => acc + values[r * cols + j] * vj, 0));
    const nu = Math.hypot(...u);
    const w = Array.from({ length: cols }, (_, j) => u.reduce((acc, ui, r) => acc + values[r * cols + j] * ui, 0) / nu);
    s = Math.hypot(...w);
    v = w.map((x) => x / s);
  }
  return s;
}

function sn(
  kind: 'Dense' | 'Conv2D' | 'Conv2DTranspose',
  config: Record<string, unknown>,
  inputShape: number[],
  seed = 5,
) {
  return new GanLayers.GanSpectralNorm({ layer: { className: kind, config }, initStddev: 0.5, seed, inputShape });
}

describe('spectral norm', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`the normalised kernel's largest singular value is within 1e-2 of 1 after power iteration (${backend})`, async () => {
      await onBackend(backend);
      try {
        for (const [kind, cfg, shape] of [
          ['Conv2D', { filters: 6, kernelSize: 3, strides: 2, padding: 'same' }, [8, 8, 3]],
          ['Conv2DTranspose', { filters: 5, kernelSize: 4, strides: 2, padding: 'same' }, [4, 4, 6]],
          ['Dense', { units: 7 }, [10]],
        ] as const) {
          const m = tf.sequential({ layers: [sn(kind, cfg, [...shape])] });
          const x = tf.randomNormal([2, ...shape]);
          for (let i = 0; i < 30; i++) tf.tidy(() => void m.apply(x, { training: true }));
          const layer = spectralNormLayersOf(m)[0];
          const wn = tf.tidy(() => layer.normalizedKernel(false));
          const cols = wn.shape[wn.shape.length - 1];
          const s = sigmaMax(wn.dataSync() as Float32Array, wn.size / cols, cols);
          expect(Math.abs(s - 1), `${kind}: σ = ${s}`).toBeLessThan(1e-2);
          // The raw kernel is far from norm 1, so the layer really normalises.
          const raw = layer.getWeights()[0];
          expect(sigmaMax(raw.dataSync() as Float32Array, raw.size / cols, cols)).toBeGreaterThan(1.5);
          x.dispose();
          wn.dispose();
          m.dispose();
        }
      } finally {
        await onBackend('wasm');
      }
    });
  }

  it('updates u only in training mode, computes y = x·(W/σ) + b, and gradients flow to the kernel', () => {
    const m = tf.sequential({ layers: [sn('Dense', { units: 3 }, [4])] });
    const layer = spectralNormLayersOf(m)[0];
    const x = tf.randomNormal([5, 4]);
    const u0 = layer.getWeights()[2].dataSync().slice();
    tf.tidy(() => void m.predict(x));
    expect(Array.from(layer.getWeights()[2].dataSync())).toEqual(Array.from(u0));
    tf.tidy(() => void m.apply(x, { training: true }));
    expect(Array.from(layer.getWeights()[2].dataSync())).not.toEqual(Array.from(u0));
    const [w, b] = layer.getWeights();
    const expected = tf.tidy(() => tf.matMul(x, w.div(layer.sigma())).add(b));
    const got = tf.tidy(() => m.predict(x) as tf.Tensor);
    expect(tf.tidy(() => got.sub(expected).abs().max().dataSync()[0])).toBeLessThan(1e-5);
    const grads = tf.tidy(() => {
      const { grads: g } = tf.variableGrads(
        () => (m.apply(x, { training: true }) as tf.Tensor).square().sum() as tf.Scalar,
        m.trainableWeights.map((v) => v.read() as tf.Variable),
      );
      return Object.values(g).map((t) => t.abs().sum().dataSync()[0]);
    });
    expect(grads.length).toBe(2);
    for (const g of grads) expect(g).toBeGreaterThan(0);
    expect(m.nonTrainableWeights.map((v) => v.name)).toEqual([expect.stringMatching(/\/u$/)]);
    for (const t of [x, expected, got]) t.dispose();
    m.dispose();
  });

  it('serialises with its u vector: a saved and reloaded model gives the same output', async () => {
    const m = tf.sequential({
      layers: [sn('Conv2D', { filters: 4, kernelSize: 3, strides: 1, padding: 'same' }, [6, 6, 2])],
    });
    const x = tf.randomNormal([1, 6, 6, 2]);
    for (let i = 0; i < 3; i++) tf.tidy(() => void m.apply(x, { training: true }));
    let artifacts!: tf.io.ModelArtifacts;
    await m.save(
      tf.io.withSaveHandler(
        async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
      ),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(customLayersIn(loaded)).toEqual(['GanSpectralNorm']);
    const a = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
    const b = tf.tidy(() => (loaded.predict(x) as tf.Tensor).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(loaded.getWeights()[2].dataSync())).toEqual(Array.from(m.getWeights()[2].dataSync()));
    x.dispose();
    m.dispose();
    loaded.dispose();
  });
});

describe('normalizations', () => {
  const x = () =>
    tf.tensor4d(
      Array.from({ length: 2 * 3 * 3 * 4 }, (_, i) => Math.sin(i) * (1 + (i % 5))),
      [2, 3, 3, 4],
    );

  it('pixel norm: every pixel vector has mean square 1 (norm √C)', () => {
    const y = tf.tidy(() => new GanLayers.GanPixelNorm({}).apply(x()) as tf.Tensor);
    const ms = tf.tidy(() => y.square().mean(-1).dataSync());
    for (const v of ms) expect(v).toBeCloseTo(1, 4);
    y.dispose();
  });

  it('instance norm: each image and channel has mean 0 and variance 1 over H, W', () => {
    const { mean, variance } = tf.tidy(() => {
      const y = new GanLayers.GanInstanceNorm({}).apply(x()) as tf.Tensor;
      const mo = tf.moments(y, [1, 2]);
      return { mean: mo.mean.dataSync(), variance: mo.variance.dataSync() };
    });
    for (const v of mean) expect(Math.abs(v)).toBeLessThan(1e-5);
    for (const v of variance) expect(v).toBeCloseTo(1, 3);
  });

  it('layer norm: each image has mean 0 and variance 1 over H, W, C', () => {
    const { mean, variance } = tf.tidy(() => {
      const y = new GanLayers.GanLayerNorm({}).apply(x()) as tf.Tensor;
      const mo = tf.moments(y, [1, 2, 3]);
      return { mean: mo.mean.dataSync(), variance: mo.variance.dataSync() };
    });
    expect(mean.length).toBe(2);
    for (const v of mean) expect(Math.abs(v)).toBeLessThan(1e-5);
    for (const v of variance) expect(v).toBeCloseTo(1, 3);
  });

  it('conditional batch norm: per-class scale and shift from the one-hot label', () => {
    const xi = tf.input({ shape: [2, 2, 3] });
    const yi = tf.input({ shape: [2] });
    const layer = new GanLayers.GanConditionalBatchNorm({});
    const m = tf.model({ inputs: [xi, yi], outputs: layer.apply([xi, yi]) as tf.SymbolicTensor });
    layer.setWeights([
      tf.tensor2d([1, 1, 1, 2, 2, 2], [2, 3]),
      tf.tensor2d([0, 0, 0, 5, 5, 5], [2, 3]),
      tf.zeros([3]),
      tf.ones([3]),
    ]);
    const input = tf.randomNormal([4, 2, 2, 3]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2).toFloat();
    const out = tf.tidy(() => m.apply([input, labels], { training: true }) as tf.Tensor);
    // Class 1 = 2·(class-0 normalised value) + 5, sample by sample against plain batch norm.
    const plain = tf.tidy(() => {
      const mo = tf.moments(input, [0, 1, 2]);
      return input.sub(mo.mean).div(mo.variance.add(1e-5).sqrt());
    });
    const o = out.arraySync() as number[][][][];
    const p = plain.arraySync() as number[][][][];
    expect(o[0][1][0][2]).toBeCloseTo(p[0][1][0][2], 4);
    expect(o[1][1][0][2]).toBeCloseTo(2 * p[1][1][0][2] + 5, 4);
    // Training mode moved the moving statistics.
    expect(layer.getWeights()[2].dataSync()[0]).not.toBe(0);
    for (const t of [input, labels, out, plain]) t.dispose();
    m.dispose();
  });
});

describe('resampling and noise layers', () => {
  it('pixel shuffle equals tf.depthToSpace, and has a gradient', () => {
    const x = tf.randomNormal([2, 3, 3, 8]);
    const y = tf.tidy(() => new GanLayers.GanDepthToSpace({ blockSize: 2 }).apply(x) as tf.Tensor);
    const ref = tf.depthToSpace(x as tf.Tensor4D, 2);
    expect(y.shape).toEqual([2, 6, 6, 2]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    const layer = new GanLayers.GanDepthToSpace({ blockSize: 2 });
    const g = tf.tidy(() =>
      tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).mul(tf.range(0, 144).reshape([2, 6, 6, 2])).sum())(x),
    );
    // The gradient is the weight map pulled back through the permutation: a permutation of 0..143.
    expect(Array.from(g.dataSync()).sort((a, b) => a - b)).toEqual(Array.from({ length: 144 }, (_, i) => i));
    for (const t of [x, y, ref, g]) t.dispose();
  });

  it('average pooling by reshape: each output is the mean of its 2×2 block', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
    const y = tf.tidy(() => new GanLayers.GanAvgPool2({}).apply(x) as tf.Tensor);
    expect(Array.from(y.dataSync())).toEqual([3.5, 5.5, 11.5, 13.5]);
    x.dispose();
    y.dispose();
  });

  it('minibatch stddev: appends the mean over features of the per-group standard deviation', () => {
    // 4 images of 1×1×2: features (0,0), (2,4), (0,0), (2,4). Group 4: std per feature = (1, 2) → mean 1.5.
    const x = tf.tensor4d([0, 0, 2, 4, 0, 0, 2, 4], [4, 1, 1, 2]);
    const y = tf.tidy(() => new GanLayers.GanMinibatchStd({ groupSize: 4 }).apply(x) as tf.Tensor);
    expect(y.shape).toEqual([4, 1, 1, 3]);
    const extra = (y.arraySync() as number[][][][]).map((img) => img[0][0][2]);
    for (const v of extra) expect(v).toBeCloseTo(1.5, 4);
    // Group 2: groups are samples {0, 2} and {1, 3} (k = g·m + i): both pairs are identical → std ≈ 0.
    const y2 = tf.tidy(() => new GanLayers.GanMinibatchStd({ groupSize: 2 }).apply(x) as tf.Tensor);
    for (const img of y2.arraySync() as number[][][][]) expect(img[0][0][2]).toBeCloseTo(1e-4, 3);
    for (const t of [x, y, y2]) t.dispose();
  });

  it('dropout noise: on at inference too, rate respected, masks reproducible from a seed', () => {
    const m = tf.sequential({ layers: [new GanLayers.GanNoiseDropout({ rate: 0.5, inputShape: [1000] })] });
    const x = tf.ones([4, 1000]);
    setNoiseSeed(m, 42);
    const a = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
    setNoiseSeed(m, 42);
    const b = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
    setNoiseSeed(m, 43);
    const c = tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync());
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const zeros = a.filter((v) => v === 0).length / a.length;
    expect(zeros).toBeGreaterThan(0.45);
    expect(zeros).toBeLessThan(0.55);
    expect(new Set(Array.from(a))).toEqual(new Set([0, 2])); // kept units scaled by 1/(1 − p)
    x.dispose();
    m.dispose();
  });

  it('projection head: w·h + b + ⟨embed(y), h⟩', () => {
    const hi = tf.input({ shape: [3] });
    const yi = tf.input({ shape: [2] });
    const layer = new GanLayers.GanProjection({});
    const m = tf.model({ inputs: [hi, yi], outputs: layer.apply([hi, yi]) as tf.SymbolicTensor });
    layer.setWeights([tf.tensor2d([1, 0, -1], [3, 1]), tf.tensor1d([0.5]), tf.tensor2d([1, 1, 1, 0, 2, 0], [2, 3])]);
    const out = tf.tidy(() =>
      (m.predict([tf.tensor2d([1, 2, 3, 1, 2, 3], [2, 3]), tf.tensor2d([1, 0, 0, 1], [2, 2])]) as tf.Tensor).dataSync(),
    );
    // w·h + b = 1 − 3 + 0.5 = −1.5; class 0: + (1+2+3) = 4.5; class 1: + 2·2 = 2.5
    expect(Array.from(out)).toEqual([4.5, 2.5]);
    m.dispose();
  });

  /** A projection head on [h (f features), y (k classes)], spectral-normalised, with large raw weights. */
  function snProjection(f: number, k: number) {
    const hi = tf.input({ shape: [f] });
    const yi = tf.input({ shape: [k] });
    const layer = new GanLayers.GanProjection({ seed: 9, spectralNorm: true });
    const m = tf.model({ inputs: [hi, yi], outputs: layer.apply([hi, yi]) as tf.SymbolicTensor });
    const [, b, , ku, eu] = layer.getWeights();
    layer.setWeights([
      tf.randomNormal([f, 1], 0, 0.7, 'float32', 1),
      b,
      tf.randomNormal([k, f], 0, 0.7, 'float32', 2),
      ku,
      eu,
    ]);
    const h = tf.randomNormal([6, f], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), k).toFloat();
    return { m, layer, h, y };
  }

  it('projection head with spectral norm: embedding and output weights have σ within 1e-2 of 1 after power iteration', () => {
    const { m, layer, h, y } = snProjection(12, 5);
    expect(layer.nonTrainableWeights.map((v) => v.name)).toEqual([
      expect.stringMatching(/\/kernel_u$/),
      expect.stringMatching(/\/embed_u$/),
    ]);
    for (let i = 0; i < 30; i++) tf.tidy(() => void m.apply([h, y], { training: true }));
    const e = tf.tidy(() => layer.normalizedEmbed(false));
    const s = sigmaMax(e.dataSync() as Float32Array, 5, 12);
    expect(Math.abs(s - 1), `embedding σ = ${s}`).toBeLessThan(1e-2);
    const w = tf.tidy(() => layer.normalizedKernel(false));
    expect(Math.abs(sigmaMax(w.dataSync() as Float32Array, 12, 1) - 1)).toBeLessThan(1e-2);
    // The raw weights are far from σ = 1, so the layer really normalises.
    const raw = layer.getWeights();
    expect(sigmaMax(raw[2].dataSync() as Float32Array, 5, 12)).toBeGreaterThan(1.5);
    expect(sigmaMax(raw[0].dataSync() as Float32Array, 12, 1)).toBeGreaterThan(1.5);
    // Inference: w·h/σ_w + b + ⟨y·E/σ_E, h⟩ with the stored u vectors, which it does not update.
    const u0 = raw.slice(3).map((t) => Array.from(t.dataSync()));
    const expected = tf.tidy(() =>
      tf
        .matMul(h, w as tf.Tensor2D)
        .add(raw[1])
        .add(h.mul(tf.matMul(y, e as tf.Tensor2D)).sum(-1, true)),
    );
    const got = tf.tidy(() => m.predict([h, y]) as tf.Tensor);
    expect(tf.tidy(() => got.sub(expected).abs().max().dataSync()[0])).toBeLessThan(1e-5);
    expect(
      layer
        .getWeights()
        .slice(3)
        .map((t) => Array.from(t.dataSync())),
    ).toEqual(u0);
    // Gradients flow to the kernel, bias and embedding (not through u).
    const grads = tf.tidy(() => {
      const { grads: g } = tf.variableGrads(
        () => (m.apply([h, y], { training: true }) as tf.Tensor).square().sum() as tf.Scalar,
        m.trainableWeights.map((v) => v.read() as tf.Variable),
      );
      return Object.values(g).map((t) => t.abs().sum().dataSync()[0]);
    });
    expect(grads.length).toBe(3);
    for (const g of grads) expect(g).toBeGreaterThan(0);
    for (const t of [e, w, h, y, expected, got]) t.dispose();
    m.dispose();
  });

  it('projection head with spectral norm serialises with its u vectors: a reloaded model gives the same output', async () => {
    const { m, layer, h, y } = snProjection(6, 3);
    for (let i = 0; i < 3; i++) tf.tidy(() => void m.apply([h, y], { training: true }));
    let artifacts!: tf.io.ModelArtifacts;
    await m.save(
      tf.io.withSaveHandler(
        async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
      ),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const [again] = projectionLayersOf(loaded);
    expect(again.spectralNorm).toBe(true);
    expect(again.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(
      layer.getWeights().map((t) => Array.from(t.dataSync())),
    );
    const a = tf.tidy(() => (m.predict([h, y]) as tf.Tensor).dataSync());
    const b = tf.tidy(() => (loaded.predict([h, y]) as tf.Tensor).dataSync());
    expect(Array.from(b)).toEqual(Array.from(a));
    // Training-mode calls advance both models' u vectors identically.
    tf.tidy(() => void m.apply([h, y], { training: true }));
    tf.tidy(() => void loaded.apply([h, y], { training: true }));
    expect(again.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(
      layer.getWeights().map((t) => Array.from(t.dataSync())),
    );
    for (const t of [h, y]) t.dispose();
    m.dispose();
    loaded.dispose();
  });

  it('a projection D is spectral-normalised in its head exactly when d.spectralNorm is on', () => {
    for (const spectralNorm of [false, true]) {
      const d = buildDiscriminator(
        {
          arch: 'dcgan-conv',
          resolution: 16,
          channels: 1,
          latentDim: 8,
          baseWidth: 4,
          d: { spectralNorm, norm: 'none' },
          conditional: { numClasses: 3, embedDim: 4, discriminator: 'projection', batchNorm: false },
        },
        1,
      );
      const [p] = projectionLayersOf(d);
      expect(p.spectralNorm).toBe(spectralNorm);
      expect(p.nonTrainableWeights.length).toBe(spectralNorm ? 2 : 0);
      d.dispose();
    }
  });
});
