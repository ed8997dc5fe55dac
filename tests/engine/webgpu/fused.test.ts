/**
 * The fused webgpu updates (src/engine/backend/webgpu-fused.ts) against the op
 * chains they replace, run on the cpu backend: Adam, RMSProp and SGD with
 * momentum over several steps, and the EMA, on shapes of odd sizes. Tolerance
 * 1e-6 absolute (float32; the GPU may contract a multiply-add). Also: each
 * really dispatches its fused programs only (Adam 3 per variable, RMSProp 2,
 * SGD 1 on its first step and 2 after), and nothing leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activateBackend } from '../../../src/engine/backend';
import { countWebGpuDispatches } from '../../../src/engine/backend/webgpu-dispatches';
import { Rng } from '../../../src/engine/rng';
import { Adam } from '../../../src/engine/train/adam';
import { RMSProp, SGD, type Optimizer } from '../../../src/engine/train/optimizers';
import { updateEma } from '../../../src/engine/train/ema';
import { skipWebGpu } from './swiftshader';

const SHAPES = [[3, 3, 2, 5], [7], [1], [4, 9]];

function values(seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return SHAPES.map((s) => rng.normal(new Float32Array(tf.util.sizeFromShape(s))));
}

const OPTIMIZERS: Record<string, (vars: tf.Variable[]) => Optimizer> = {
  adam: (vars) => new Adam(vars, { lr: 0.01, beta1: 0.5, beta2: 0.99 }),
  rmsprop: (vars) => new RMSProp(vars, { lr: 0.01, rho: 0.9 }),
  sgd: (vars) => new SGD(vars, { lr: 0.05, momentum: 0.8 }),
};

/** Three steps of an optimizer with fixed gradients; returns the variables and slots, and the dispatches. */
async function optimizerSteps(
  backend: 'cpu' | 'webgpu',
  name: string,
): Promise<{ out: Float32Array[]; dispatches: number[] }> {
  await activateBackend(backend);
  const init = values(1);
  const vars = SHAPES.map((s, i) => tf.tidy(() => tf.variable(tf.tensor(init[i], s))));
  const opt = OPTIMIZERS[name](vars);
  const dispatches: number[] = [];
  for (let step = 0; step < 3; step++) {
    const grads = values(10 + step).map((g, i) => tf.tensor(g, SHAPES[i]));
    if (backend === 'webgpu') dispatches.push((await countWebGpuDispatches(() => opt.apply(grads))).count.total);
    else opt.apply(grads);
    tf.dispose(grads);
  }
  const state = opt.getState().tensors;
  const out = await Promise.all([...vars, ...Object.values(state)].map(async (t) => (await t.data()) as Float32Array));
  opt.dispose();
  tf.dispose(vars);
  return { out, dispatches };
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((x, i) => x.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

describe.skipIf(skipWebGpu())('fused updates on webgpu', () => {
  // Dispatches per variable on each of the three steps.
  it.each([
    ['adam', [3, 3, 3]],
    ['rmsprop', [2, 2, 2]],
    ['sgd', [1, 2, 2]],
  ])('%s: %j dispatches per variable, the same values as the op chain on cpu, no leaks', async (name, perVar) => {
    const ref = await optimizerSteps('cpu', name);
    await activateBackend('webgpu');
    const before = tf.memory().numTensors;
    const got = await optimizerSteps('webgpu', name);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.dispatches).toEqual(perVar.map((n) => n * SHAPES.length));
    expect(got.out).toHaveLength(ref.out.length);
    expect(maxDiff(got.out, ref.out)).toBeLessThan(1e-6);
  });

  it('EMA: one dispatch per trainable weight, the same values as on cpu; non-trainable weights are copied', async () => {
    const run = async (backend: 'cpu' | 'webgpu') => {
      await activateBackend(backend);
      const make = () => {
        const input = tf.input({ shape: [5] });
        const dense = tf.layers.dense({ units: 3, kernelInitializer: 'zeros', biasInitializer: 'zeros' }).apply(input);
        const bn = tf.layers.batchNormalization().apply(dense) as tf.SymbolicTensor;
        return tf.model({ inputs: input, outputs: bn });
      };
      const source = make();
      const ema = make();
      const rng = new Rng(4);
      for (const [i, w] of source.weights.entries()) {
        const shape = w.shape as number[];
        w.write(
          tf.tensor(
            rng.normal(new Float32Array(tf.util.sizeFromShape(shape))).map((v) => v + i),
            shape,
          ),
        );
      }
      let dispatches = 0;
      if (backend === 'webgpu')
        dispatches = (await countWebGpuDispatches(() => updateEma(ema, source, 0.9))).count.total;
      else updateEma(ema, source, 0.9);
      updateEma(ema, source, 0.7);
      const out = await Promise.all(ema.weights.map(async (w) => (await w.read().data()) as Float32Array));
      const trainable = source.weights.filter((w) => w.trainable).length;
      source.dispose();
      ema.dispose();
      return { out, dispatches, trainable };
    };
    const ref = await run('cpu');
    const got = await run('webgpu');
    expect(got.dispatches).toBe(got.trainable);
    expect(maxDiff(got.out, ref.out)).toBeLessThan(1e-6);
    await activateBackend('cpu');
  });
});
