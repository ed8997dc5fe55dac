/**
 * Is bench/torch-peer.py's training step ours? fashion-vs-torch.ts compares the
 * two sides' quality on the premise that they train the same model with the
 * same step; this checks the premise, step by step, from the same numbers.
 *
 *   npx tsx bench/step-vs-torch.ts [--steps 3] [--warm 100] [--seed 1] [--backend wasm] [--tolerance 1e-4] [--out DIR]
 *
 * Ours trains dcgan-28 through GanSession.trainStep on Fashion-MNIST (after
 * --warm steps that are not compared, so a trained state can be checked too).
 * For each compared step it records what the step starts from (G, D, G-EMA
 * weights with BatchNorm statistics, both Adams' moments), what it draws (the
 * real batch, D's and G's latents) and what it makes (every gradient, the
 * weights after, the step's numbers). bench/torch-step-check.py loads the
 * same starting point into torch-peer.py's models and runs torch-peer.py's
 * own train_step on the same batch and latents, then reports the relative
 * difference ‖torch − ours‖ / ‖ours‖ of each. Every step starts again from
 * ours, so float rounding cannot compound from step to step.
 *
 * Why --warm 100: in the first ~50 steps the fakes are near-flat images, hundreds of
 * D's pre-activations sit within 1e-5 of LeakyReLU's kink, and float rounding (our
 * reductions accumulate in float64, torch's in float32) flips some of them, so the
 * gradients part by up to 1e-3 there without any difference in the step.
 *
 * One known difference is reported apart: BatchNorm's moving variance. tfjs
 * (like Keras) averages the biased batch variance, torch the unbiased one
 * (× n/(n−1)), so after a step they differ by about (1 − momentum)/(n − 1) —
 * 1.6e-3 for G's dense BatchNorm at batch 64. Only inference sees it.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend/select';
import { resolveConfig } from '../src/engine/config/resolve';
import { Rng, sampleLatent } from '../src/engine/rng';
import { emaDecayAt } from '../src/engine/train/ema';
import { GanSession, type TrainingData } from '../src/engine/train/session';
import { arg } from './args';
import { FASHION, readIdx, trainingData } from './fashion-data';

const steps = Number(arg('steps', '3'));
const warm = Number(arg('warm', '100'));
const seed = Number(arg('seed', '1'));
const tolerance = Number(arg('tolerance', '1e-4'));
const backendName = arg('backend', 'wasm') as 'wasm';
/** Where the recorded steps go: kept when given, a temporary folder (removed at the end) when not. */
const keep = arg('out', null);
if (!(Number.isInteger(steps) && steps >= 1 && Number.isInteger(warm) && warm >= 0))
  throw new Error('--steps: a whole number above 0; --warm: a whole number, 0 or more');

/** A list of tensors as one float32 file, and each one's name and shape for the manifest. */
async function saveAll(dir: string, file: string, named: { name: string; tensor: tf.Tensor }[]) {
  const parts = await Promise.all(named.map(async ({ tensor }) => Float32Array.from(await tensor.data())));
  await writeFile(path.join(dir, file), concat(parts));
  return { file, tensors: named.map(({ name, tensor }) => ({ name, shape: tensor.shape })) };
}

function concat(parts: Float32Array[]): Float32Array {
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

const weightsOf = (m: tf.LayersModel) => m.weights.map((w) => ({ name: w.originalName, tensor: w.read() }));
/** Adam's moments by variable position (m/0…, v/0…), and its step count. */
const momentsOf = (o: GanSession['optG']) => {
  const { step, tensors } = o.getState();
  return { step, named: Object.entries(tensors).map(([name, tensor]) => ({ name, tensor })) };
};

await activateBackend(backendName, { threads: 1 });
const train = trainingData(await readIdx(path.join(FASHION, 'train-images-idx3-ubyte.gz'), 60000));
const config = await resolveConfig({ preset: 'dcgan-28', sets: [`seed=${seed}`, 'metrics.enabled=false'] });
const session = GanSession.create(config, train.count);
const dir = keep ?? (await mkdtemp(path.join(tmpdir(), 'gan-step-torch-')));
if (keep) await mkdir(keep, { recursive: true });
try {
  for (let i = 0; i < warm; i++) await session.trainStep(train);
  const { batchSize: n, model } = config;
  const manifest: Record<string, unknown>[] = [];
  for (let k = 0; k < steps; k++) {
    const t = `${k}`;
    const before = {
      g: await saveAll(dir, `g-before-${t}.f32`, weightsOf(session.g)),
      d: await saveAll(dir, `d-before-${t}.f32`, weightsOf(session.d)),
      ema: await saveAll(dir, `ema-before-${t}.f32`, weightsOf(session.gEma!)),
    };
    const adamG = momentsOf(session.optG);
    const adamD = momentsOf(session.optD);
    const adam = {
      g: { step: adamG.step, ...(await saveAll(dir, `adam-g-${t}.f32`, adamG.named)) },
      d: { step: adamD.step, ...(await saveAll(dir, `adam-d-${t}.f32`, adamD.named)) },
    };
    // The latents the step will draw: D's batch, then G's, from the noise stream as it stands now.
    const noise = new Rng(session.state.noise);
    const zD = sampleLatent(noise, n, model.latentDim, model.latentDist);
    const zG = sampleLatent(noise, n, model.latentDim, model.latentDist);
    let real: Float32Array | null = null;
    const recording: TrainingData = { count: train.count, batch: (i, out) => (real = train.batch(i, out)) };
    const grads: Record<'g' | 'd', Float32Array[]> = { g: [], d: [] };
    for (const [which, opt] of [
      ['g', session.optG],
      ['d', session.optD],
    ] as const) {
      const apply = opt.apply.bind(opt);
      opt.apply = (gs) => {
        grads[which] = gs.map((g) => Float32Array.from(g.dataSync()));
        apply(gs);
      };
    }
    const stats = await session.trainStep(recording);
    await writeFile(path.join(dir, `inputs-${t}.f32`), concat([real!, zD, zG]));
    await writeFile(path.join(dir, `grads-g-${t}.f32`), concat(grads.g));
    await writeFile(path.join(dir, `grads-d-${t}.f32`), concat(grads.d));
    manifest.push({
      step: session.step,
      decay: emaDecayAt(config.ema.decay, session.step - config.ema.startStep, config.ema.warmup),
      before,
      adam,
      after: {
        g: await saveAll(dir, `g-after-${t}.f32`, weightsOf(session.g)),
        d: await saveAll(dir, `d-after-${t}.f32`, weightsOf(session.d)),
        ema: await saveAll(dir, `ema-after-${t}.f32`, weightsOf(session.gEma!)),
      },
      stats: [stats.lossD, stats.lossG, stats.dReal, stats.dFake, stats.gradNormD, stats.gradNormG],
    });
  }
  await writeFile(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ batch: config.batchSize, latent: config.model.latentDim, warm, steps: manifest }),
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      '/usr/bin/python3',
      [path.join(import.meta.dirname, 'torch-step-check.py'), dir, '--tolerance', String(tolerance)],
      { stdio: 'inherit' },
    );
    child.on('error', reject);
    child.on('exit', resolve);
  });
  process.exitCode = code ?? 1;
} finally {
  session.dispose();
  if (!keep) await rm(dir, { recursive: true, force: true });
}
