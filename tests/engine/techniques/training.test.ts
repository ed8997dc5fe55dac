/**
 * Short runs on real images (the bundled Fashion-MNIST demo set) for each loss
 * and each recipe: losses stay finite. And the alternating-step guarantees for
 * configs that turn the techniques on: a D step leaves G exactly as it was and
 * vice versa (BatchNorm statistics and spectral-norm u vectors included), and
 * no tensor leaks across steps.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/engine/config/resolve';
import { loadDemoDataset, type Dataset } from '../../../src/engine/dataset';
import { projectionLayersOf, spectralNormLayersOf } from '../../../src/engine/layers';
import { discriminatorStep, generatorStep } from '../../../src/engine/train/gan-step';
import { GanSession } from '../../../src/engine/train/session';
import { LOSSES, type TrainConfig } from '../../../src/shared/config';
import { onBackend, sameWeights, snapshot } from '../../helpers/tf';
import { tempCacheDir } from '../../helpers/temp';

let demo: Dataset;
beforeAll(async () => {
  await onBackend('wasm');
  demo = await loadDemoDataset({
    resolution: 16,
    channels: 1,
    resize: 'crop',
    background: '#ffffff',
    minSize: 8,
    cacheDir: await tempCacheDir(),
  });
});

const small = [
  'model.arch=dcgan-conv',
  'model.resolution=16',
  'model.channels=1',
  'model.latentDim=16',
  'model.baseWidth=4',
  'batchSize=8',
  'gridSize=2',
  'seed=5',
];

async function shortRun(config: TrainConfig, steps: number) {
  const s = GanSession.create(config, demo.count, demo);
  const all = [];
  try {
    for (let i = 0; i < steps; i++) all.push(await s.trainStep(demo));
    await s.sampleFixed();
  } finally {
    s.dispose();
  }
  return all;
}

function expectFinite(stats: Awaited<ReturnType<typeof shortRun>>) {
  for (const st of stats)
    for (const v of [st.lossD, st.lossG, st.gradNormD, st.gradNormG, st.dReal, st.dFake])
      expect(Number.isFinite(v)).toBe(true);
}

describe('each loss trains on real images with finite losses', () => {
  for (const loss of LOSSES) {
    it(loss, async () => {
      const sets = [...small, `loss=${loss}`];
      if (loss === 'hinge') sets.push('d.spectralNorm=true', 'd.norm=none');
      const stats = await shortRun(await resolveConfig({ sets }), 6);
      expectFinite(stats);
      if (loss === 'nonsaturating' || loss === 'minimax') expect(stats[0].lossD).toBeCloseTo(2 * Math.LN2, 0);
    });
  }
});

describe('each recipe trains on real images with finite losses', () => {
  for (const preset of ['dcgan-classic', 'wgan-gp', 'sngan-hinge', 'small-dataset', 'rpgan']) {
    it(preset, async () => {
      const config = await resolveConfig({ preset, sets: small });
      expectFinite(await shortRun(config, preset === 'wgan-gp' ? 3 : 5));
    });
  }
});

describe("conditional GAN on the demo set's 10 classes", () => {
  it('trains with labels, and the sample grid shows one class per row', async () => {
    const config = await resolveConfig({
      sets: [...small, 'conditional.enabled=true', 'conditional.numClasses=10', 'gridSize=3'],
    });
    const s = GanSession.create(config, demo.count, demo);
    try {
      for (let i = 0; i < 3; i++) expectFinite([await s.trainStep(demo)]);
      const grid = await s.sampleFixed();
      expect(grid.count).toBe(9);
      const one = await s.sampleFixed(4);
      expect(one.count).toBe(9);
      // Same z, different class rows: the grid differs from the all-class-4 grid except where the row is class 4.
      expect(Buffer.compare(Buffer.from(grid.bytes), Buffer.from(one.bytes))).not.toBe(0);
      await expect(s.sampleFixed(10)).rejects.toThrow(/class 10/);
    } finally {
      s.dispose();
    }
  });

  it('with a spectral-normalised projection D (SNGAN: hinge, d.norm=none) stays finite', async () => {
    const config = await resolveConfig({
      sets: [
        ...small,
        'conditional.enabled=true',
        'conditional.numClasses=10',
        'conditional.discriminator=projection',
        'd.spectralNorm=true',
        'd.norm=none',
        'loss=hinge',
      ],
    });
    const s = GanSession.create(config, demo.count, demo);
    try {
      const [head] = projectionLayersOf(s.d);
      expect(head.spectralNorm).toBe(true);
      const u0 = head.nonTrainableWeights.map((v) => Array.from(v.read().dataSync()));
      for (let i = 0; i < 5; i++) expectFinite([await s.trainStep(demo)]);
      // The head's power iteration ran: both u vectors moved, and stay finite.
      head.nonTrainableWeights.forEach((v, i) => {
        const u = Array.from(v.read().dataSync());
        expect(u.every(Number.isFinite)).toBe(true);
        expect(u).not.toEqual(u0[i]);
      });
      expect((await s.sampleFixed()).count).toBe(4);
    } finally {
      s.dispose();
    }
  });
});

const techniqueConfigs: [string, string[]][] = [
  [
    'SN in G and D, r1 lazy, DiffAugment, minibatch stddev, dropout',
    [
      'd.spectralNorm=true',
      'g.spectralNorm=true',
      'd.norm=none',
      'penalty.type=r1',
      'penalty.every=2',
      'augment.translation=true',
      'augment.cutout=true',
      'augment.color=true',
      'd.minibatchStd=true',
      'g.dropout=0.3',
    ],
  ],
  [
    'wgan-gp, instance noise, pixel norm, pixel shuffle, avg pooling',
    ['loss=wgan-gp', 'instanceNoise.sigma=0.2', 'g.norm=pixel', 'g.upsample=pixelshuffle', 'd.downsample=avgpool'],
  ],
  [
    'conditional projection with CBN, label smoothing and flipping, batch norm and SN in D',
    [
      'conditional.enabled=true',
      'conditional.numClasses=10',
      'labels.smoothing=random',
      'labels.flip=0.1',
      'd.spectralNorm=true',
      'g.upsample=bilinear',
    ],
  ],
  [
    'SNGAN projection: hinge, SN in D incl. the projection head, no D norm',
    [
      'loss=hinge',
      'conditional.enabled=true',
      'conditional.numClasses=10',
      'conditional.discriminator=projection',
      'd.spectralNorm=true',
      'd.norm=none',
    ],
  ],
  [
    'wgan clipping, RMSProp, label channels, r2 on layer norm',
    [
      'loss=wgan',
      'conditional.enabled=true',
      'conditional.numClasses=10',
      'conditional.discriminator=channels',
      'penalty.type=r2',
      'd.norm=layer',
    ],
  ],
];

describe.each(techniqueConfigs)('alternating steps with %s', (_name, sets) => {
  let config: TrainConfig;
  beforeAll(async () => {
    config = await resolveConfig({ sets: [...small, ...sets] });
  });
  const labels = () =>
    config.conditional.enabled
      ? (tf.oneHot(tf.tensor1d([0, 3, 5, 9, 1, 2, 7, 8], 'int32'), 10).toFloat() as tf.Tensor2D)
      : null;

  it('a D step moves D only; a G step moves G only (non-trainable weights included)', () => {
    const s = GanSession.create(config, demo.count, demo);
    const real = tf.tensor4d(demo.batch([0, 1, 2, 3, 4, 5, 6, 7]), [8, 16, 16, 1]);
    const z = tf.randomNormal([8, 16]) as tf.Tensor2D;
    const y = labels();
    let g0 = snapshot(s.g);
    let d0 = snapshot(s.d);
    const headUs = () =>
      projectionLayersOf(s.d).flatMap((l) => l.nonTrainableWeights.map((v) => Array.from(v.read().dataSync())));
    let u0 = headUs();
    const snHead =
      config.conditional.enabled && config.conditional.discriminator === 'projection' && config.d.spectralNorm;
    expect(u0.length).toBe(snHead ? 2 : 0);
    const dStats = discriminatorStep({ model: s.d, optimizer: s.optD }, s.g, real, z, {
      loss: config.loss,
      labels: y,
      penalty:
        config.penalty.type === 'none' ? null : { kind: config.loss === 'wgan-gp' ? 'wgan-gp' : 'r1', weight: 10 },
    });
    expect(sameWeights(snapshot(s.g), g0)).toBe(true);
    expect(sameWeights(snapshot(s.d), d0)).toBe(false);
    if (snHead) expect(headUs()).not.toEqual(u0); // the D step ran the head's power iteration
    g0 = snapshot(s.g);
    d0 = snapshot(s.d);
    u0 = headUs();
    const gStats = generatorStep({ model: s.g, optimizer: s.optG }, s.d, z, config.loss, { labels: y });
    expect(sameWeights(snapshot(s.d), d0)).toBe(true);
    expect(headUs()).toEqual(u0); // the projection head's u vectors too
    expect(sameWeights(snapshot(s.g), g0)).toBe(false);
    if (config.d.spectralNorm) expect(spectralNormLayersOf(s.d).length).toBeGreaterThan(0);
    for (const t of [real, z, y, ...Object.values(dStats), ...Object.values(gStats)]) t?.dispose();
    s.dispose();
  });

  it('leaks no tensors across training steps', async () => {
    const s = GanSession.create(config, demo.count, demo);
    await s.trainStep(demo);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await s.trainStep(demo);
    expect(tf.memory().numTensors).toBe(before);
    await s.sampleFixed();
    expect(tf.memory().numTensors).toBe(before);
    s.dispose();
  });
});
