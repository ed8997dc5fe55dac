/**
 * The fixture runs under tests/fixtures/ (made by scripts/make-fixtures.ts):
 * where they are, the options they were made with, and what their generator
 * drew at fixture time. Shared by the script and tests/engine/fixture-runs.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedGenerator } from '../../src/engine/generate';
import { latentsOf, seedNoise } from '../../src/engine/generate';
import { classesFor, generatorInputs } from '../../src/engine/models/inputs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES_DIR = path.join(REPO_ROOT, 'tests', 'fixtures');
/** 8 Fashion-MNIST images of 2 classes (bag, sandal), from resources/demo. Runs name it relative to the repo root. */
export const FIXTURE_DATA = 'tests/fixtures/data/fashion-2';
/** The seeds whose images were recorded at fixture time. */
export const EXPECTED_SEEDS = [3, 4];

export interface FixtureRun {
  /** The run folder, relative to tests/fixtures/. */
  folder: string;
  /** Run-folder format it was saved in (1: 0.1.0, no run.json). */
  runFormat: number;
  /** Checkpoint format of its checkpoints. */
  checkpointFormat: number;
  /** The version that made it. */
  madeBy: string;
  /** How it was made: `gan-studio train` flags (0.1.0) or `--set` options of this version's engine. */
  preset: string;
  sets: string[];
  /** The file stem of its recorded outputs under tests/fixtures/expected/. */
  expected: string;
}

/** Narrow widths, 4 steps of batch 4 on wasm, one checkpoint kept, no live metrics: small and quick to load. */
const SMALL = [
  `data.dir=${FIXTURE_DATA}`,
  'model.latentDim=8',
  'model.baseWidth=4',
  'batchSize=4',
  'steps=4',
  'checkpointEvery=2',
  'sampleEvery=2',
  'keepCheckpoints=1',
  'gridSize=2',
  'seed=7',
  'backend=wasm',
  'threads=1',
  'metrics.enabled=false',
];

export const DCGAN_28: FixtureRun = {
  folder: 'format-2/00001-dcgan-28',
  runFormat: 2,
  checkpointFormat: 2,
  madeBy: 'this version (scripts/make-fixtures.ts)',
  preset: 'dcgan-28',
  sets: ['name=dcgan-28', ...SMALL],
  expected: 'format-2-dcgan-28',
};

/**
 * Most techniques at once, after tests/engine/techniques/resume.test.ts's first config.
 * A copy on purpose, not an import: these sets describe the committed fixture
 * folders, so they must not move when that test's config does.
 */
export const TECHNIQUES: FixtureRun = {
  folder: 'format-2/00002-techniques',
  runFormat: 2,
  checkpointFormat: 2,
  madeBy: 'this version (scripts/make-fixtures.ts)',
  preset: 'dcgan-28',
  sets: [
    'name=techniques',
    ...SMALL,
    'model.arch=dcgan-conv',
    'model.resolution=16',
    'model.channels=1',
    'model.latentDist=uniform',
    'conditional.enabled=true',
    'g.spectralNorm=true',
    'd.spectralNorm=true',
    'd.norm=none',
    'penalty.type=r1',
    'penalty.weight=1',
    'penalty.every=2',
    'augment.translation=true',
    'augment.cutout=true',
    'augment.color=true',
    'augment.ada=true',
    'augment.probability=0.5',
    'augment.adaSpeed=40',
    'instanceNoise.sigma=0.2',
    'instanceNoise.steps=4',
    'labels.smoothing=random',
    'labels.flip=0.2',
    'd.minibatchStd=true',
    'd.minibatchGroup=2',
    'g.dropout=0.2',
    'g.upsample=pixelshuffle',
    'g.beta1=0',
    'd.beta2=0.9',
    'ema.decay=0.9',
    'ema.startStep=1',
  ],
  expected: 'format-2-techniques',
};

/** Made by GAN Studio 0.1.0 itself (commit 6db7727), with its own CLI: run format 1 (no run.json), checkpoint format 1. */
export const V010_DCGAN_28: FixtureRun = {
  folder: 'format-1/00001-dcgan-28-v010',
  runFormat: 1,
  checkpointFormat: 1,
  madeBy: 'GAN Studio 0.1.0 (git 6db7727)',
  preset: 'dcgan-28',
  sets: [
    `data.dir=${FIXTURE_DATA}`,
    'model.latentDim=8',
    'model.baseWidth=4',
    'checkpointEvery=2',
    'sampleEvery=2',
    'gridSize=2',
    'keepCheckpoints=1',
  ],
  expected: 'format-1-dcgan-28-v010',
};

export const FIXTURE_RUNS = [DCGAN_28, TECHNIQUES, V010_DCGAN_28];

export const fixturePath = (run: FixtureRun): string => path.join(FIXTURES_DIR, run.folder);
export const expectedPng = (run: FixtureRun): string => path.join(FIXTURES_DIR, 'expected', `${run.expected}.png`);
export const expectedFloats = (run: FixtureRun): string => path.join(FIXTURES_DIR, 'expected', `${run.expected}.f32`);

/**
 * The generator's raw output (values in [-1, 1], before rounding to 8 bits)
 * for `seeds`, by the seed rule as generateSeeds applies it: each seed's
 * latent and dropout noise, classes 0, 1, … by position.
 */
export function generatorFloats(gen: LoadedGenerator, seeds: number[]): Float32Array {
  const z = latentsOf(seeds, gen.latentDim, gen.latentDist, 1);
  seedNoise(gen.model, seeds);
  try {
    return tf
      .tidy(() => {
        const zt = tf.tensor2d(z, [seeds.length, gen.latentDim]);
        const classes = gen.numClasses > 0 ? classesFor(seeds.length, gen.numClasses) : undefined;
        return (gen.model.predict(generatorInputs(gen.model, zt, classes)) as tf.Tensor).dataSync() as Float32Array;
      })
      .slice();
  } finally {
    seedNoise(gen.model, null);
  }
}
