/** The maths of the techniques: losses on known logits, gradient penalties with known gradients, label tricks, instance noise, latents, optimizers, ADA. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaUpdate } from '../../../src/engine/augment/diffaugment';
import { parseConfig } from '../../../src/engine/config/resolve';
import { buildDiscriminator } from '../../../src/engine/models/dcgan';
import { Rng } from '../../../src/engine/rng';
import { discriminatorLossFor, generatorLoss } from '../../../src/engine/train/losses';
import { RMSProp, SGD, makeOptimizer } from '../../../src/engine/train/optimizers';
import { gradientPenalty, gradientSquaredNorms } from '../../../src/engine/train/penalties';
import { instanceNoiseSigma, labelTargets, sampleLatent } from '../../../src/engine/train/tricks';
import { onBackend } from '../../helpers/tf';

beforeAll(() => onBackend('wasm'));
afterAll(() => onBackend('wasm'));

const val = (f: () => tf.Tensor) => tf.tidy(() => f().dataSync()[0]);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const softplus = (x: number) => Math.log1p(Math.exp(x));
const real = [2, -1, 0.5];
const fake = [-3, 1];
const R = () => tf.tensor1d(real);
const F = () => tf.tensor1d(fake);

describe('losses on known logits', () => {
  it('hinge: D = E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))], G = −E[D(G(z))]', () => {
    expect(val(() => discriminatorLossFor('hinge', R(), F()))).toBeCloseTo(
      mean(real.map((x) => Math.max(0, 1 - x))) + mean(fake.map((x) => Math.max(0, 1 + x))),
      6,
    );
    expect(val(() => generatorLoss(F(), 'hinge'))).toBeCloseTo(-mean(fake), 6);
  });

  it('rpgan pairs real i with fake i: D = E[softplus(D(G(z)) − D(x))], G = E[softplus(D(x) − D(G(z)))]', () => {
    const r = [2, -1, 0.5];
    const f = [-3, 1, 0.5];
    const Rp = () => tf.tensor2d(r, [3, 1]);
    const Fp = () => tf.tensor2d(f, [3, 1]);
    expect(val(() => discriminatorLossFor('rpgan', Rp(), Fp()))).toBeCloseTo(
      mean(r.map((x, i) => softplus(f[i] - x))),
      5,
    );
    expect(val(() => generatorLoss(Fp(), 'rpgan', Rp()))).toBeCloseTo(mean(r.map((x, i) => softplus(x - f[i]))), 5);
    // Pairing, not means: swapping which real goes with which fake changes the loss.
    expect(val(() => discriminatorLossFor('rpgan', tf.tensor2d([0.5, -1, 2], [3, 1]), Fp()))).not.toBeCloseTo(
      val(() => discriminatorLossFor('rpgan', Rp(), Fp())),
      3,
    );
    expect(() => generatorLoss(Fp(), 'rpgan')).toThrow(/real batch/);
  });

  it('lsgan: D = ½E[(D(x) − 1)²] + ½E[D(G(z))²], G = ½E[(D(G(z)) − 1)²]', () => {
    expect(val(() => discriminatorLossFor('lsgan', R(), F()))).toBeCloseTo(
      0.5 * mean(real.map((x) => (x - 1) ** 2)) + 0.5 * mean(fake.map((x) => x ** 2)),
      6,
    );
    expect(val(() => generatorLoss(F(), 'lsgan'))).toBeCloseTo(0.5 * mean(fake.map((x) => (x - 1) ** 2)), 6);
  });

  it('wgan and wgan-gp: D = E[D(G(z))] − E[D(x)], G = −E[D(G(z))]', () => {
    for (const loss of ['wgan', 'wgan-gp'] as const) {
      expect(val(() => discriminatorLossFor(loss, R(), F()))).toBeCloseTo(mean(fake) - mean(real), 6);
      expect(val(() => generatorLoss(F(), loss))).toBeCloseTo(-mean(fake), 6);
    }
  });

  it('BCE with smoothed and flipped targets: softplus(x) − t·x per sample', () => {
    const tr = [0.9, 0.7, 0]; // the last real was flipped to 0
    const tfk = [0, 0.9]; // the last fake was flipped to the real target
    const got = val(() =>
      discriminatorLossFor('nonsaturating', R(), F(), { real: tf.tensor1d(tr), fake: tf.tensor1d(tfk) }),
    );
    expect(got).toBeCloseTo(
      mean(real.map((x, i) => softplus(x) - tr[i] * x)) + mean(fake.map((x, i) => softplus(x) - tfk[i] * x)),
      5,
    );
    // t = 1 and 0 give the plain BCE.
    expect(val(() => discriminatorLossFor('minimax', R(), F()))).toBeCloseTo(
      mean(real.map((x) => softplus(-x))) + mean(fake.map((x) => softplus(x))),
      5,
    );
  });

  it('lsgan with targets regresses to them', () => {
    const got = val(() => discriminatorLossFor('lsgan', R(), F(), { real: tf.tensor1d([0.9, 0.9, 0.9]), fake: null }));
    expect(got).toBeCloseTo(0.5 * mean(real.map((x) => (x - 0.9) ** 2)) + 0.5 * mean(fake.map((x) => x ** 2)), 6);
  });
});

describe.each(['wasm', 'cpu'] as const)('gradient penalties (%s)', (backend) => {
  beforeAll(() => onBackend(backend));

  // D(x) = Σ a·x per image: ∇ₓD = a everywhere, ‖∇‖² = Σa² = 4·(0.5² + 1²) … known.
  const a = [0.5, -1, 0.25, 2, 1, -0.5, 0.75, 0];
  const normSq = a.reduce((s, v) => s + v * v, 0);
  const linearD = (x: tf.Tensor4D) => x.mul(tf.tensor4d(a, [1, 2, 2, 2])).sum([1, 2, 3]);
  const batch = () =>
    tf.tensor4d(
      Array.from({ length: 3 * 8 }, (_, i) => Math.cos(i)),
      [3, 2, 2, 2],
    );

  it('of a linear D: wgan-gp = λ(‖a‖ − 1)², r1 = r2 = γ/2·‖a‖², whatever the inputs', () => {
    const p = (kind: 'wgan-gp' | 'r1' | 'r2' | 'r1+r2', w: number) =>
      val(() =>
        gradientPenalty(
          kind,
          linearD,
          { real: batch(), fake: batch().mul(-2) as tf.Tensor4D, epsilon: new Float32Array([0.1, 0.5, 0.9]) },
          w,
        ),
      );
    expect(p('wgan-gp', 10)).toBeCloseTo(10 * (Math.sqrt(normSq) - 1) ** 2, 3);
    expect(p('r1', 3)).toBeCloseTo(1.5 * normSq, 4);
    expect(p('r2', 3)).toBeCloseTo(1.5 * normSq, 4);
    expect(p('r1+r2', 3)).toBeCloseTo(3 * normSq, 4);
  });

  it('of a quadratic D = ½Σx²: ∇ = x, so r1 = γ/2·E‖x‖² and wgan-gp uses the interpolate', () => {
    const quad = (x: tf.Tensor4D) => x.square().sum([1, 2, 3]).mul(0.5);
    const x = [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0];
    const realT = () => tf.tensor4d(x, [2, 2, 2, 2]);
    expect(val(() => gradientSquaredNorms(quad, realT()).sum())).toBeCloseTo(14, 4);
    expect(val(() => gradientPenalty('r1', quad, { real: realT(), fake: realT() }, 2))).toBeCloseTo(mean([5, 9]), 4);
    // x̂ = ε·x + (1 − ε)·0 = ε·x → ‖∇‖ = ε‖x‖.
    const eps = new Float32Array([0.5, 1]);
    const gp = val(() =>
      gradientPenalty('wgan-gp', quad, { real: realT(), fake: tf.zeros([2, 2, 2, 2]) as tf.Tensor4D, epsilon: eps }, 1),
    );
    expect(gp).toBeCloseTo(mean([(0.5 * Math.sqrt(5) - 1) ** 2, (Math.sqrt(9) - 1) ** 2]), 4);
  });

  it('trains through a real D (conv, LeakyReLU, layer norm, minibatch stddev, avg pooling, spectral norm): second-order gradients are finite and non-zero', () => {
    const config = parseConfig({
      model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
      d: { norm: 'layer', minibatchStd: true, downsample: 'avgpool', spectralNorm: true },
      batchSize: 4,
    });
    const d = buildDiscriminator(
      {
        ...config.model,
        d: { norm: 'layer', minibatchStd: true, downsample: 'avgpool', spectralNorm: true, minibatchGroup: 4 },
      },
      3,
    );
    const x = tf.tensor4d(
      Array.from({ length: 4 * 16 * 16 * 3 }, (_, i) => Math.sin(i / 5)),
      [4, 16, 16, 3],
    );
    const vars = d.trainableWeights.map((w) => w.read() as tf.Variable);
    const norms = tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => gradientPenalty('r1', (t) => d.apply(t, { training: true }) as tf.Tensor, { real: x, fake: x }, 10),
        vars,
      );
      // A variable the penalty cannot reach (e.g. the last bias: ∇ₓD does not depend on it) gets no gradient.
      return vars.map((v) => (grads[v.name] ? grads[v.name].abs().sum().dataSync()[0] : 0));
    });
    for (const n of norms) expect(Number.isFinite(n)).toBe(true);
    expect(norms.filter((n) => n > 0).length).toBeGreaterThan(norms.length / 2);
    x.dispose();
    d.dispose();
  });
});

describe('gradient penalty through a real D: wasm matches cpu', () => {
  it('same penalty value and weight gradients on both backends', async () => {
    const run = async (backend: 'wasm' | 'cpu') => {
      await onBackend(backend);
      const d = buildDiscriminator(
        { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4, d: { norm: 'layer' } },
        9,
      );
      const x = tf.tensor4d(
        Array.from({ length: 2 * 16 * 16 * 3 }, (_, i) => Math.sin(i / 3)),
        [2, 16, 16, 3],
      );
      const f = x.mul(-0.5) as tf.Tensor4D;
      const vars = d.trainableWeights.map((w) => w.read() as tf.Variable);
      const out = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () =>
            gradientPenalty(
              'wgan-gp',
              (t) => d.apply(t, { training: true }) as tf.Tensor,
              { real: x, fake: f, epsilon: new Float32Array([0.3, 0.6]) },
              10,
            ),
          vars,
        );
        return {
          value: value.dataSync()[0],
          grads: vars.map((v) => (grads[v.name] ? Array.from(grads[v.name].dataSync()) : [])),
        };
      });
      [x, f].forEach((t) => t.dispose());
      d.dispose();
      return out;
    };
    const w = await run('wasm');
    const c = await run('cpu');
    await onBackend('wasm');
    expect(w.value).toBeCloseTo(c.value, 3);
    const flatW = w.grads.flat();
    const flatC = c.grads.flat();
    const scale = Math.max(1, ...flatC.map(Math.abs));
    const err = Math.max(...flatW.map((v, i) => Math.abs(v - flatC[i]))) / scale;
    expect(err).toBeLessThan(1e-3);
  });
});

describe('label tricks', () => {
  const labels = (over: object) => parseConfig({ labels: over }).labels;

  it('constant smoothing: every real target is 0.9, fakes stay 0', () => {
    const t = labelTargets(labels({ smoothing: 'constant' }), new Rng(1), 64)!;
    expect(new Set(t.real)).toEqual(new Set([Math.fround(0.9)]));
    expect(new Set(t.fake)).toEqual(new Set([0]));
  });

  for (const [lo, hi] of [
    [0.7, 1.2],
    [0.9, 1.1],
  ]) {
    it(`random smoothing stays inside [${lo}, ${hi}] and fills it`, () => {
      const t = labelTargets(labels({ smoothing: 'random', realMin: lo, realMax: hi }), new Rng(2), 5000)!;
      const r = Array.from(t.real);
      expect(Math.min(...r)).toBeGreaterThanOrEqual(Math.fround(lo));
      expect(Math.max(...r)).toBeLessThanOrEqual(Math.fround(hi));
      expect(Math.min(...r)).toBeLessThan(lo + 0.01);
      expect(Math.max(...r)).toBeGreaterThan(hi - 0.01);
      expect(mean(r)).toBeCloseTo((lo + hi) / 2, 1);
    });
  }

  it('flipping swaps targets with the given probability', () => {
    const t = labelTargets(labels({ flip: 0.1 }), new Rng(3), 20000)!;
    const flippedReal = t.real.filter((v) => v === 0).length / t.real.length;
    const flippedFake = t.fake.filter((v) => v === 1).length / t.fake.length;
    expect(flippedReal).toBeGreaterThan(0.09);
    expect(flippedReal).toBeLessThan(0.11);
    expect(flippedFake).toBeGreaterThan(0.09);
    expect(flippedFake).toBeLessThan(0.11);
  });

  it('no trick: no targets (plain 1 and 0)', () => {
    expect(labelTargets(labels({}), new Rng(1), 4)).toBeNull();
  });
});

describe('instance noise schedule', () => {
  const noise = (over: object) => parseConfig({ instanceNoise: over }).instanceNoise;
  it('linear: σ·(1 − t/T), then 0', () => {
    const n = noise({ sigma: 0.4, decay: 'linear', steps: 100 });
    expect([0, 25, 50, 100, 150].map((t) => instanceNoiseSigma(n, t))).toEqual([0.4, 0.30000000000000004, 0.2, 0, 0]);
  });
  it('exponential: σ·100^(−t/T): 1% at T, then 0', () => {
    const n = noise({ sigma: 0.5, decay: 'exponential', steps: 100 });
    expect(instanceNoiseSigma(n, 0)).toBe(0.5);
    expect(instanceNoiseSigma(n, 50)).toBeCloseTo(0.05, 10);
    expect(instanceNoiseSigma(n, 99)).toBeCloseTo(0.5 * 100 ** -0.99, 10);
    expect(instanceNoiseSigma(n, 100)).toBe(0);
  });
  it('none keeps σ; σ = 0 is off', () => {
    expect(instanceNoiseSigma(noise({ sigma: 0.2, decay: 'none' }), 1e6)).toBe(0.2);
    expect(instanceNoiseSigma(noise({}), 0)).toBe(0);
  });
});

describe('latent distributions', () => {
  it('uniform in [−1, 1) with mean 0 and variance 1/3; normal with variance 1', () => {
    const u = Array.from(sampleLatent(new Rng(4), 1000, 20, 'uniform'));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean(u)).toBeCloseTo(0, 1);
    expect(mean(u.map((x) => x * x))).toBeCloseTo(1 / 3, 1);
    const g = Array.from(sampleLatent(new Rng(4), 1000, 20, 'normal'));
    expect(mean(g.map((x) => x * x))).toBeCloseTo(1, 1);
    expect(Math.max(...g.map(Math.abs))).toBeGreaterThan(1);
  });
});

describe('ADA controller', () => {
  it('p moves by sign(r − target)·images/speed, clamped to [0, 1]', () => {
    expect(adaUpdate(0.5, 0.8, 0.6, 64, 6400)).toBeCloseTo(0.51, 12);
    expect(adaUpdate(0.5, 0.2, 0.6, 64, 6400)).toBeCloseTo(0.49, 12);
    expect(adaUpdate(0.5, 0.6, 0.6, 64, 6400)).toBe(0.5);
    expect(adaUpdate(0.999, 1, 0.6, 64, 640)).toBe(1);
    expect(adaUpdate(0.001, -1, 0.6, 64, 640)).toBe(0);
  });
});

describe('optimizers', () => {
  it('RMSProp follows PyTorch: s ← ρs + (1−ρ)g², θ ← θ − lr·g/(√s + ε)', () => {
    const x = tf.variable(tf.tensor1d([1, -2]));
    const opt = new RMSProp([x], { lr: 0.1, rho: 0.9 });
    const g = [0.5, 4];
    const gt = tf.tensor1d(g);
    opt.apply([gt]);
    opt.apply([gt]);
    const s1 = g.map((v) => 0.1 * v * v);
    const x1 = [1, -2].map((x0, i) => x0 - (0.1 * g[i]) / (Math.sqrt(s1[i]) + 1e-8));
    const s2 = s1.map((s, i) => 0.9 * s + 0.1 * g[i] * g[i]);
    const x2 = x1.map((x0, i) => x0 - (0.1 * g[i]) / (Math.sqrt(s2[i]) + 1e-8));
    const got = Array.from(x.dataSync());
    expect(got[0]).toBeCloseTo(x2[0], 5);
    expect(got[1]).toBeCloseTo(x2[1], 5);
    [x, gt].forEach((t) => t.dispose());
    opt.dispose();
  });

  it('SGD with momentum follows PyTorch: b ← μb + g (b = g first), θ ← θ − lr·b', () => {
    const x = tf.variable(tf.tensor1d([1]));
    const opt = new SGD([x], { lr: 0.1, momentum: 0.9 });
    for (const g of [1, 2, 3]) {
      const t = tf.tensor1d([g]);
      opt.apply([t]);
      t.dispose();
    }
    // b: 1, 0.9 + 2 = 2.9, 2.61 + 3 = 5.61 → x = 1 − 0.1·(1 + 2.9 + 5.61)
    expect(x.dataSync()[0]).toBeCloseTo(1 - 0.1 * (1 + 2.9 + 5.61), 5);
    x.dispose();
    opt.dispose();
  });

  for (const kind of ['rmsprop', 'sgd', 'adam'] as const) {
    it(`${kind}: restores its state exactly, so later updates are identical`, () => {
      const run = (restore: boolean) => {
        const x = tf.variable(tf.tensor1d([0.3, 0.7, -1]));
        const o = { optimizer: kind, lr: 0.01, beta1: 0.5, beta2: 0.999, rho: 0.9, momentum: 0.8 };
        let opt = makeOptimizer([x], o);
        const grads = [0.1, -0.2, 0.3].map((s) => tf.tensor1d([s, 2 * s, -s]));
        opt.apply([grads[0]]);
        if (restore) {
          const { step, tensors } = opt.getState();
          const copy = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.clone()]));
          opt.dispose();
          opt = makeOptimizer([x], o);
          opt.setState(step, copy);
          Object.values(copy).forEach((t) => t.dispose());
        }
        opt.apply([grads[1]]);
        opt.apply([grads[2]]);
        const out = x.dataSync().slice();
        grads.forEach((t) => t.dispose());
        opt.dispose();
        x.dispose();
        return out;
      };
      expect(Array.from(run(true))).toEqual(Array.from(run(false)));
    });
  }
});
