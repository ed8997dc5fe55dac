/**
 * A tiny DCGAN trained on wasm gives the same gradients as on the JS cpu backend,
 * including a gradient of a gradient (WGAN-GP / R1 style) through leakyReLU.
 *
 * Error measure: max|wasm − cpu| / max(1, max|cpu|) per variable, required < 1e-4.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerZeroGradients, ZERO_GRADIENT_KERNELS } from '../../../src/engine/backend';
import { onBackend, onWasmAndCpu, randomData, relError } from './helpers';

const Z = 8;
const BATCH = 4;

/** G: dense → BN → LReLU → reshape → convT k4/2 → BN → LReLU → convT k5/2 tanh → [16,16,1]. D mirrors it with a dense logit. */
function buildModels(): { G: tf.Sequential; D: tf.Sequential } {
  let seed = 1;
  const init = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.2, seed: seed++ });
  const G = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [Z], units: 4 * 4 * 8, useBias: false, kernelInitializer: init() }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.reshape({ targetShape: [4, 4, 8] }),
      tf.layers.conv2dTranspose({
        filters: 4,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(),
      }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2dTranspose({
        filters: 1,
        kernelSize: 5,
        strides: 2,
        padding: 'same',
        activation: 'tanh',
        kernelInitializer: init(),
      }),
    ],
  });
  const D = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [16, 16, 1],
        filters: 4,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        kernelInitializer: init(),
      }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.conv2d({
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(),
      }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1, kernelInitializer: init() }),
    ],
  });
  return { G, D };
}

const vars = (m: tf.LayersModel): tf.Variable[] =>
  m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);

interface Result {
  loss: number;
  grads: Float32Array[];
  gpGrads: Float32Array[];
  afterSteps: Float32Array[];
}

/** One DCGAN loss's gradients, a gradient-penalty's gradients and weights after 2 Adam steps, on the active backend. */
function trainingStep(): Result {
  const { G, D } = buildModels();
  const z = tf.tensor(randomData(BATCH * Z, 21), [BATCH, Z]);
  const real = tf.tensor(randomData(BATCH * 16 * 16, 22), [BATCH, 16, 16, 1]);
  const gVars = vars(G);
  const dVars = vars(D);

  const lossFn = (): tf.Scalar => {
    const fake = G.apply(z, { training: true }) as tf.Tensor;
    const dFake = D.apply(fake, { training: true }) as tf.Tensor;
    const dReal = D.apply(real, { training: true }) as tf.Tensor;
    return tf.add(
      tf.losses.sigmoidCrossEntropy(tf.onesLike(dFake), dFake),
      tf.losses.sigmoidCrossEntropy(tf.zerosLike(dReal), dReal),
    ) as tf.Scalar;
  };
  const { value, grads } = tf.variableGrads(lossFn, [...gVars, ...dVars]);
  const out: Result = {
    loss: value.dataSync()[0],
    grads: [...gVars, ...dVars].map((v) => grads[v.name].dataSync() as Float32Array),
    gpGrads: [],
    afterSteps: [],
  };
  tf.dispose([value, ...Object.values(grads)]);

  // Gradient penalty: ‖∂D/∂x‖² differentiated w.r.t. D's weights (a gradient of a gradient).
  const gp = tf.variableGrads(() => {
    const gx = tf.grad((x: tf.Tensor) => tf.sum(D.apply(x, { training: true }) as tf.Tensor))(real);
    return tf.sum(tf.square(gx)) as tf.Scalar;
  }, dVars);
  // Variables that ∂D/∂x does not depend on (biases, BN beta) have no entry; keep the order.
  out.gpGrads = dVars.map((v) =>
    v.name in gp.grads ? (gp.grads[v.name].dataSync() as Float32Array) : new Float32Array(0),
  );
  tf.dispose([gp.value, ...Object.values(gp.grads)]);

  // optimizer.minimize through the same graph.
  const opt = tf.train.adam(1e-2, 0.5);
  for (let i = 0; i < 2; i++) {
    opt.minimize(lossFn, false, [...gVars, ...dVars])?.dispose();
  }
  out.afterSteps = [...gVars, ...dVars].map((v) => v.dataSync().slice() as Float32Array);
  opt.dispose();
  tf.dispose([z, real]);
  G.dispose();
  D.dispose();
  return out;
}

describe('training a small DCGAN on wasm', () => {
  it('matches the cpu backend: loss, every gradient, a gradient penalty and two Adam steps', async () => {
    const { wasm, cpu } = await onWasmAndCpu(trainingStep);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-4);
    expect(wasm.grads.length).toBe(cpu.grads.length);
    wasm.grads.forEach((g, i) => expect(relError(g, cpu.grads[i]), `grad ${i}`).toBeLessThan(1e-4));
    expect(wasm.gpGrads.map((g) => g.length)).toEqual(cpu.gpGrads.map((g) => g.length));
    expect(cpu.gpGrads.filter((g) => g.length > 0).length).toBeGreaterThanOrEqual(3);
    wasm.gpGrads.forEach((g, i) => expect(relError(g, cpu.gpGrads[i]), `gp grad ${i}`).toBeLessThan(1e-4));
    wasm.afterSteps.forEach((w, i) => expect(relError(w, cpu.afterSteps[i]), `weight ${i}`).toBeLessThan(1e-4));
    // The gradients are not trivially zero.
    expect(Math.max(...cpu.grads.map((g) => Math.max(...Array.from(g, Math.abs))))).toBeGreaterThan(1e-3);
    expect(Math.max(...cpu.gpGrads.map((g) => Math.max(...Array.from(g, Math.abs))))).toBeGreaterThan(1e-3);
  });

  it('does not leak tensors over training steps on wasm', async () => {
    await onBackend('wasm', () => {
      const { G, D } = buildModels();
      const z = tf.tensor(randomData(BATCH * Z, 1), [BATCH, Z]);
      const opt = tf.train.adam(1e-3);
      const step = (): void => {
        opt
          .minimize(() => {
            const d = D.apply(G.apply(z, { training: true }) as tf.Tensor, { training: true }) as tf.Tensor;
            return tf.losses.sigmoidCrossEntropy(tf.onesLike(d), d) as tf.Scalar;
          }, false)
          ?.dispose();
      };
      step(); // creates optimizer slots
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      tf.dispose(z);
      G.dispose();
      D.dispose();
    });
  });
});

describe('zero gradients for comparison kernels', () => {
  it('are registered for every listed kernel, once', () => {
    registerZeroGradients();
    for (const k of ZERO_GRADIENT_KERNELS) expect(tf.getGradient(k), k).toBeTruthy();
    expect(registerZeroGradients()).toEqual([]);
  });

  it('make a gradient of a gradient through leakyReLU work, equal on wasm and cpu', async () => {
    // f(x) = Σ leakyRelu(x·w)²; d/dw of ‖∂f/∂x‖² needs the gradient of leakyRelu's gradient (Greater/Select).
    const run = (): Float32Array =>
      tf.tidy(() => {
        const x = tf.tensor(randomData(12, 31), [3, 4]);
        const w = tf.tensor(randomData(20, 32), [4, 5]);
        const penalty = (ww: tf.Tensor): tf.Scalar => {
          const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.square(tf.leakyRelu(tf.matMul(xx, ww), 0.2))))(x);
          return tf.sum(tf.square(gx)) as tf.Scalar;
        };
        return tf.grad(penalty)(w).dataSync() as Float32Array;
      });
    const { wasm, cpu } = await onWasmAndCpu(run);
    expect(relError(wasm, cpu)).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(cpu, Math.abs))).toBeGreaterThan(1e-3);
    // Other comparison ops and sign get zero gradients.
    const g = await onBackend('wasm', () =>
      tf.tidy(() => {
        const a = tf.tensor([1, -2, 3]);
        const f = (t: tf.Tensor): tf.Tensor =>
          tf.sum(
            tf.addN([
              tf.mul(tf.cast(tf.greaterEqual(t, 0), 'float32'), t),
              tf.cast(tf.less(t, 1), 'float32'),
              tf.cast(tf.lessEqual(t, 1), 'float32'),
              tf.cast(tf.equal(t, 3), 'float32'),
              tf.cast(tf.notEqual(t, 3), 'float32'),
              tf.sign(t),
            ]),
          );
        return Array.from(tf.grad(f)(a).dataSync());
      }),
    );
    expect(g).toEqual([1, 0, 1]);
  });
});
