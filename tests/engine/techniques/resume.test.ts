/**
 * Exact resume with the techniques on: N steps in one go must give the very
 * same weights (spectral-norm u vectors and BatchNorm statistics included),
 * optimizer state (Adam, RMSProp, SGD), RNG streams, ADA probability and
 * curves as N/2 steps, a stop, and N/2 more from the checkpoint.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/engine/config/resolve';
import { loadLayersModel } from '../../../src/engine/io/layers-model-fs';
import { projectionLayersOf } from '../../../src/engine/layers';
import { readStats } from '../../../src/engine/run/stats-log';
import { resumeRun, trainNewRun } from '../../../src/engine/train/run-training';
import type { TrainConfig } from '../../../src/shared/config';
import { expectSameCheckpoint } from '../../helpers/checkpoint';
import { blobData, onBackend } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';
import { TINY_RGB16 } from '../../helpers/tiny-run';

beforeAll(() => onBackend('wasm'));

const base = [
  ...TINY_RGB16,
  'batchSize=4',
  'seed=11',
  'steps=6',
  'keepCheckpoints=5',
  'ema.decay=0.9',
  'ema.startStep=1',
];

// tests/helpers/fixture-runs.ts's TECHNIQUES copies the first config on purpose:
// it describes committed fixture runs and stays frozen; change these freely.
const CONFIGS: [string, string[]][] = [
  [
    'Adam: conditional projection + CBN, SN in G and D, lazy R1, DiffAugment with ADA, instance noise, random smoothing + flips, minibatch stddev, dropout, pixel shuffle, uniform z, dSteps=gSteps=2',
    [
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
      'model.latentDist=uniform',
      'dSteps=2',
      'gSteps=2',
      'g.beta1=0',
      'd.beta2=0.9',
    ],
  ],
  [
    'RMSProp: WGAN with clipping, label channels, instance norm in G, layer norm in D, bilinear up, avg-pool down, exponential instance noise',
    [
      'loss=wgan',
      'conditional.enabled=true',
      'conditional.discriminator=channels',
      'conditional.batchNorm=false',
      'g.norm=instance',
      'd.norm=layer',
      'g.upsample=bilinear',
      'd.downsample=avgpool',
      'instanceNoise.sigma=0.3',
      'instanceNoise.decay=exponential',
      'd.lr=0.00005',
      'g.lr=0.00005',
      'dSteps=3',
    ],
  ],
  [
    'SGD with momentum: hinge + WGAN-GP penalty, pixel norm, nearest up, kernel 3, ReLU D, LSGAN-free, constant smoothing off',
    [
      'loss=hinge',
      'penalty.type=wgan-gp',
      'g.optimizer=sgd',
      'g.momentum=0.9',
      'd.optimizer=sgd',
      'd.momentum=0.5',
      'g.norm=pixel',
      'd.norm=instance',
      'g.upsample=nearest',
      'g.kernelSize=3',
      'd.kernelSize=3',
      'd.activation=relu',
      'g.activation=leakyrelu',
      'g.lr=0.01',
      'd.lr=0.01',
    ],
  ],
  [
    'Adam: SNGAN projection D (hinge, SN in D including the projection embedding and output weights, d.norm=none)',
    [
      'loss=hinge',
      'conditional.enabled=true',
      'conditional.discriminator=projection',
      'conditional.batchNorm=false',
      'd.spectralNorm=true',
      'd.norm=none',
      'g.beta1=0',
      'd.beta1=0',
      'd.beta2=0.9',
      'g.beta2=0.9',
    ],
  ],
  [
    'fastgan at 64 px: SLE + GLU G, D with reconstruction decoders and a random quarter per D update, hinge, DiffAugment, BN in G and D',
    [
      'model.arch=fastgan',
      'model.resolution=64',
      'metrics.enabled=false',
      'loss=hinge',
      'augment.translation=true',
      'augment.cutout=true',
      'augment.color=true',
      'augment.probability=1',
      'g.beta1=0.5',
      'd.beta1=0.5',
    ],
  ],
  [
    'LSGAN with constant smoothing, dcgan-dense at 28×28, instance norm',
    [
      'loss=lsgan',
      'labels.smoothing=constant',
      'model.arch=dcgan-dense',
      'model.resolution=28',
      'model.channels=1',
      'g.norm=instance',
      'd.norm=layer',
      'penalty.type=r2',
      'penalty.weight=0.5',
    ],
  ],
];

function labelled(count: number, resolution: number, channels: number) {
  return {
    ...blobData(count, resolution, channels),
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
    classNames: ['a', 'b', 'c'],
  };
}

describe.each(CONFIGS)('exact resume: %s', (_name, sets) => {
  it('6 steps straight = 3, stop, resume for 3', async () => {
    const config: TrainConfig = await resolveConfig({ sets: [...base, ...sets] });
    const data = labelled(6, config.model.resolution, config.model.channels);
    const out = await tempDir();
    const input = (c: TrainConfig) => ({ config: c, data, datasetKey: 'k', backend: 'wasm' });
    const straight = await trainNewRun(path.join(out, 'a'), input(config));
    const split = await trainNewRun(path.join(out, 'b'), input({ ...config, steps: 3 }));
    // Resume from the run's own config.json (numClasses filled in from the data), as the CLI does.
    const saved = JSON.parse(await readFile(path.join(split, 'config.json'), 'utf8')) as TrainConfig;
    await resumeRun(split, input({ ...saved, steps: 6 }));

    const state = await expectSameCheckpoint(split, straight, 6, [
      'optimizer-g.bin',
      'optimizer-d.bin',
      'optimizer.json',
    ]);
    if (config.conditional.enabled && config.conditional.discriminator === 'projection' && config.d.spectralNorm) {
      // The projection head's u vectors are in the checkpoint and were compared above.
      const d = await loadLayersModel(path.join(split, 'checkpoints', 'step-000006', 'd'));
      const [head] = projectionLayersOf(d);
      expect(head.spectralNorm).toBe(true);
      expect(head.nonTrainableWeights.map((v) => v.name)).toEqual([
        expect.stringMatching(/\/kernel_u(_\d+)?$/),
        expect.stringMatching(/\/embed_u(_\d+)?$/),
      ]);
      d.dispose();
    }
    if (config.augment.ada) expect(state.augmentP).not.toBe(config.augment.probability); // ADA moved p, and it was saved and restored

    const strip = ({ imgPerSec: _i, time: _t, ...rest }: { imgPerSec: number; time: number }) => rest;
    const a = await readStats(path.join(straight, 'stats.jsonl'));
    const b = await readStats(path.join(split, 'stats.jsonl'));
    expect(b.map(strip)).toEqual(a.map(strip));
    for (const s of a) expect(Number.isFinite(s.lossD) && Number.isFinite(s.lossG)).toBe(true);
  });
});
