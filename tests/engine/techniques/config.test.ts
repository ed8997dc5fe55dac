/** The technique options in the config: schema, --set, conflicts, warnings, presets, model shapes. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PRESETS, PRESET_NAMES } from '../../../src/engine/config/presets';
import { parseConfig, resolveConfig } from '../../../src/engine/config/resolve';
import {
  configWarnings,
  dArchOf,
  modelSpecOf,
  optimizerOf,
  withDataClasses,
} from '../../../src/engine/config/techniques';
import { customLayersIn } from '../../../src/engine/layers';
import { buildDiscriminator, buildGenerator } from '../../../src/engine/models/dcgan';
import { TrainConfigSchema } from '../../../src/shared/config';
import { onBackend } from '../../helpers/tf';

beforeAll(() => onBackend('wasm'));

type Json = {
  type?: string;
  description?: string;
  properties?: Record<string, Json>;
  default?: unknown;
  enum?: unknown[];
};

describe('config schema', () => {
  const schema = z.toJSONSchema(TrainConfigSchema, { io: 'input' }) as Json;

  it('prints as JSON Schema with a description on every option, enums and bounds', () => {
    const missing: string[] = [];
    const walk = (node: Json, at: string) => {
      for (const [k, v] of Object.entries(node.properties ?? {})) {
        if (v.type !== 'object' && !v.description) missing.push(`${at}${k}`);
        if (v.properties) walk(v, `${at}${k}.`);
      }
    };
    walk(schema, '');
    expect(missing).toEqual([]);
    const p = schema.properties!;
    expect(p.loss.enum).toEqual(['nonsaturating', 'minimax', 'wgan', 'wgan-gp', 'hinge', 'lsgan', 'rpgan']);
    expect(p.penalty.properties!.type.enum).toContain('r1');
    expect(p.g.properties!.upsample.enum).toEqual(['transposed', 'nearest', 'bilinear', 'pixelshuffle']);
    expect(p.d.properties!.norm.enum).toEqual(['auto', 'batch', 'instance', 'layer', 'pixel', 'none']);
    expect(p.d.properties!.spectralNorm.type).toBe('boolean');
    expect(p.labels.properties!.flip).toMatchObject({ type: 'number', minimum: 0, maximum: 0.5 });
    expect(Object.keys(p)).toEqual(
      expect.arrayContaining(['augment', 'instanceNoise', 'conditional', 'gSteps', 'weightClip']),
    );
  });

  it('--set reaches every nested option', async () => {
    const c = await resolveConfig({
      sets: [
        'loss=lsgan',
        'd.spectralNorm=true',
        'd.norm=none',
        'g.upsample=pixelshuffle',
        'g.dropout=0.5',
        'd.minibatchStd=true',
        'penalty.type=r1',
        'penalty.every=4',
        'labels.smoothing=random',
        'labels.realMin=0.9',
        'labels.realMax=1.1',
        'instanceNoise.sigma=0.1',
        'instanceNoise.decay=exponential',
        'augment.translation=true',
        'augment.ada=true',
        'conditional.enabled=true',
        'conditional.discriminator=channels',
        'model.latentDist=uniform',
        'g.optimizer=rmsprop',
        'gSteps=2',
        'd.kernelSize=3',
      ],
    });
    expect(c).toMatchObject({
      loss: 'lsgan',
      d: { spectralNorm: true, norm: 'none', minibatchStd: true, kernelSize: 3 },
      g: { upsample: 'pixelshuffle', dropout: 0.5, optimizer: 'rmsprop' },
      penalty: { type: 'r1', every: 4, weight: 10 },
      instanceNoise: { sigma: 0.1, decay: 'exponential' },
      augment: { translation: true, ada: true, adaTarget: 0.6 },
      conditional: { enabled: true, discriminator: 'channels' },
      model: { latentDist: 'uniform' },
      gSteps: 2,
    });
  });
});

describe('incompatible options', () => {
  it('a gradient penalty with batch norm in D is rejected, naming both options', async () => {
    await expect(resolveConfig({ sets: ['loss=wgan-gp', 'd.norm=batch'] })).rejects.toThrow(
      /"d\.norm".*batch norm in D.*gradient penalty \(penalty\.type=wgan-gp via loss=wgan-gp\).*d\.norm=layer/,
    );
    await expect(resolveConfig({ sets: ['penalty.type=r1', 'd.norm=batch'] })).rejects.toThrow(
      /"d\.norm".*penalty\.type=r1/,
    );
  });

  it('d.norm=auto moves to layer norm under a penalty, and says why', async () => {
    const c = await resolveConfig({ sets: ['penalty.type=r1'] });
    expect(dArchOf(c).norm).toBe('layer');
    expect(configWarnings(c).join('\n')).toMatch(
      /d\.norm=auto uses layer norm instead of batch norm because a gradient penalty \(r1\)/,
    );
    expect(dArchOf(await resolveConfig({})).norm).toBe('batch');
  });

  it('label tricks need a loss with targets; other conflicts name their options', async () => {
    await expect(resolveConfig({ sets: ['loss=hinge', 'labels.smoothing=constant'] })).rejects.toThrow(
      /"labels\.smoothing".*loss=hinge/,
    );
    await expect(resolveConfig({ sets: ['loss=wgan', 'labels.flip=0.1'] })).rejects.toThrow(/"labels\.flip"/);
    await expect(resolveConfig({ sets: ['labels.realMin=1.2', 'labels.realMax=0.9'] })).rejects.toThrow(
      /"labels\.realMin"/,
    );
    await expect(resolveConfig({ sets: ['d.minibatchStd=true', 'batchSize=6'] })).rejects.toThrow(
      /"d\.minibatchGroup".*multiple/,
    );
    await expect(resolveConfig({ sets: ['augment.ada=true'] })).rejects.toThrow(/"augment\.ada"/);
    await expect(resolveConfig({ sets: ['loss=wgan', 'penalty.type=wgan-gp'] })).rejects.toThrow(
      /"penalty\.type".*loss=wgan-gp/,
    );
    await expect(resolveConfig({ sets: ['g.norm=group'] })).rejects.toThrow(/"g\.norm"/);
  });

  it('warns: WGAN clipping with Adam, SGD, hinge without a Lipschitz D', async () => {
    const wganAdam = configWarnings(
      await resolveConfig({ sets: ['loss=wgan', 'd.optimizer=adam', 'dSteps=5', 'd.lr=0.00005'] }),
    );
    expect(wganAdam).toEqual([
      expect.stringMatching(/loss=wgan with d\.optimizer=adam: weight clipping with a momentum optimizer is unstable/),
    ]);
    expect(configWarnings(await resolveConfig({ sets: ['g.optimizer=sgd'] }))).toEqual([
      expect.stringMatching(/g\.optimizer=sgd: plain SGD is unstable/),
    ]);
    expect(configWarnings(await resolveConfig({ sets: ['loss=hinge'] })).join()).toMatch(/d\.spectralNorm/);
    expect(configWarnings(await resolveConfig({ preset: 'dcgan-64' }))).toEqual([]);
  });

  it('loss=wgan picks RMSProp by default; an explicit optimizer wins', async () => {
    const c = await resolveConfig({ sets: ['loss=wgan'] });
    expect([optimizerOf(c, 'g'), optimizerOf(c, 'd')]).toEqual(['rmsprop', 'rmsprop']);
    expect(optimizerOf(await resolveConfig({}), 'd')).toBe('adam');
    expect(optimizerOf(await resolveConfig({ sets: ['loss=wgan', 'd.optimizer=sgd'] }), 'd')).toBe('sgd');
  });

  it('a conditional run takes its class count from the data, and needs 2 classes', async () => {
    const c = await resolveConfig({ sets: ['conditional.enabled=true'] });
    expect(withDataClasses(c, { classNames: ['a', 'b', 'c'] }).conditional.numClasses).toBe(3);
    expect(() => withDataClasses(c, { classNames: [] })).toThrow(/at least 2 class subfolders; this one has 0/);
    expect(() =>
      withDataClasses({ ...c, conditional: { ...c.conditional, numClasses: 4 } }, { classNames: ['a', 'b'] }),
    ).toThrow(/numClasses is 4 but the data set has 2/);
  });
});

describe('recipes', () => {
  it('every preset resolves; the recipes turn on their techniques', async () => {
    for (const name of PRESET_NAMES) await expect(resolveConfig({ preset: name })).resolves.toBeTruthy();
    const wgan = await resolveConfig({ preset: 'wgan-gp' });
    expect(wgan).toMatchObject({
      loss: 'wgan-gp',
      dSteps: 5,
      penalty: { weight: 10 },
      d: { norm: 'layer', beta1: 0, beta2: 0.9 },
    });
    const sn = await resolveConfig({ preset: 'sngan-hinge' });
    expect(sn).toMatchObject({ loss: 'hinge', d: { spectralNorm: true, norm: 'none' } });
    expect(configWarnings(sn)).toEqual([]);
    const small = await resolveConfig({ preset: 'small-dataset' });
    expect(small).toMatchObject({
      penalty: { type: 'r1' },
      augment: { translation: true, cutout: true, color: true },
      ema: { enabled: true },
    });
    const rp = await resolveConfig({ preset: 'rpgan' });
    expect(rp).toMatchObject({
      loss: 'rpgan',
      penalty: { type: 'r1+r2' },
      // Batch 16 and Adam 3e-4 (session 9: more steps for the same CPU, and faster ones).
      batchSize: 16,
      // small-dataset's DCGAN G (the penalties constrain D only); D plain, unnormalized, He-initialised.
      g: { norm: 'batch', upsample: 'transposed', kernelSize: 4, init: 'normal', lr: 3e-4 },
      d: { norm: 'none', downsample: 'strided', init: 'he', lr: 3e-4 },
    });
    expect(configWarnings(rp)).toEqual([]);
    // The other recipes keep DCGAN's N(0, 0.02).
    expect(small).toMatchObject({ g: { init: 'normal' }, d: { init: 'normal' } });
    const classic = await resolveConfig({ preset: 'dcgan-classic' });
    expect(classic).toMatchObject({ loss: 'nonsaturating', batchSize: 128, ema: { enabled: false } });
  });

  it('dcgan-28 and dcgan-64 are unchanged: plain DCGAN, stock layers only', async () => {
    expect(PRESETS['dcgan-28']).toEqual({
      model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 100, baseWidth: 64 },
    });
    for (const name of ['dcgan-28', 'dcgan-64'] as const) {
      const spec = modelSpecOf(parseConfig(PRESETS[name]));
      const g = buildGenerator({ ...spec, baseWidth: 4 }, 1);
      const d = buildDiscriminator({ ...spec, baseWidth: 4 }, 1);
      expect(customLayersIn(g)).toEqual([]);
      expect(customLayersIn(d)).toEqual([]);
      g.dispose();
      d.dispose();
    }
  });
});

describe('model options', () => {
  const base = { arch: 'dcgan-conv' as const, resolution: 16, channels: 3 as const, latentDim: 8, baseWidth: 4 };
  const kinds = (m: tf.LayersModel) => m.layers.map((l) => l.getClassName());
  const run = (m: tf.LayersModel, x: tf.Tensor | tf.Tensor[]) => tf.tidy(() => (m.predict(x) as tf.Tensor).shape);

  it('G up-sampling: transposed, nearest/bilinear + conv, pixel shuffle; all reach 16×16×3', () => {
    const expectKinds: Record<string, string> = {
      transposed: 'Conv2DTranspose',
      nearest: 'UpSampling2D',
      bilinear: 'UpSampling2D',
      pixelshuffle: 'GanDepthToSpace',
    };
    for (const upsample of ['transposed', 'nearest', 'bilinear', 'pixelshuffle'] as const) {
      const g = buildGenerator({ ...base, g: { upsample } }, 1);
      expect(kinds(g)).toContain(expectKinds[upsample]);
      expect(run(g, tf.zeros([2, 8]))).toEqual([2, 16, 16, 3]);
      g.dispose();
    }
    const bil = buildGenerator({ ...base, g: { upsample: 'bilinear' } }, 1);
    expect(bil.layers.find((l) => l.getClassName() === 'UpSampling2D')!.getConfig()).toMatchObject({
      interpolation: 'bilinear',
    });
    bil.dispose();
  });

  it('D down-sampling: strided conv or conv + average pooling; kernel size and base width reach the layers', () => {
    const d = buildDiscriminator({ ...base, baseWidth: 6, d: { downsample: 'avgpool', kernelSize: 3 } }, 1);
    const convs = d.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(convs.map((l) => (l.getConfig() as { strides: number[] }).strides[0])).toEqual([1, 1, 1]);
    expect((convs[0].getConfig() as { kernelSize: number[] }).kernelSize).toEqual([3, 3]);
    expect((convs[0].getConfig() as { filters: number }).filters).toBe(6);
    expect(kinds(d).filter((k) => k === 'GanAvgPool2')).toHaveLength(2);
    expect(run(d, tf.zeros([2, 16, 16, 3]))).toEqual([2, 1]);
    d.dispose();
  });

  it('normalizations, activations, spectral norm, minibatch stddev, dropout and a linear output land where asked', () => {
    const g = buildGenerator(
      {
        ...base,
        g: {
          norm: 'pixel',
          activation: 'leakyrelu',
          leakySlope: 0.1,
          spectralNorm: true,
          dropout: 0.5,
          tanhOutput: false,
        },
      },
      1,
    );
    expect(kinds(g)).toEqual([
      'Reshape',
      'GanSpectralNorm',
      'GanPixelNorm',
      'LeakyReLU',
      'GanNoiseDropout',
      'GanSpectralNorm',
      'GanPixelNorm',
      'LeakyReLU',
      'GanNoiseDropout',
      'GanSpectralNorm',
      'Activation',
    ]);
    expect(g.layers[3].getConfig()).toMatchObject({ alpha: 0.1 });
    expect(g.layers.at(-1)!.getConfig()).toMatchObject({ activation: 'linear' });
    g.dispose();
    for (const norm of ['instance', 'layer', 'none'] as const) {
      const d = buildDiscriminator({ ...base, d: { norm, minibatchStd: true, activation: 'relu' } }, 1);
      const want = { instance: 'GanInstanceNorm', layer: 'GanLayerNorm', none: null }[norm];
      if (want) expect(kinds(d)).toContain(want);
      else expect(kinds(d).some((k) => k.includes('Norm'))).toBe(false);
      expect(kinds(d)).toContain('GanMinibatchStd');
      expect(kinds(d)).toContain('ReLU');
      expect(run(d, tf.zeros([4, 16, 16, 3]))).toEqual([4, 1]);
      d.dispose();
    }
  });

  it('conditional: G takes [z, one-hot] (embedding + conditional BN); D a projection head or label channels', () => {
    const conditional = { numClasses: 3, embedDim: 5, discriminator: 'projection' as const, batchNorm: true };
    const g = buildGenerator({ ...base, conditional }, 1);
    expect(g.inputs.map((i) => i.shape)).toEqual([
      [null, 8],
      [null, 3],
    ]);
    expect(kinds(g)).toContain('GanConditionalBatchNorm');
    const labels = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3).toFloat();
    expect(run(g, [tf.zeros([2, 8]), labels])).toEqual([2, 16, 16, 3]);
    const d = buildDiscriminator({ ...base, conditional }, 1);
    expect(kinds(d)).toContain('GanProjection');
    expect(run(d, [tf.zeros([2, 16, 16, 3]), labels])).toEqual([2, 1]);
    const dc = buildDiscriminator({ ...base, conditional: { ...conditional, discriminator: 'channels' } }, 1);
    const firstConv = dc.layers.find((l) => l.getClassName() === 'Conv2D')!;
    expect((firstConv.getWeights()[0].shape as number[])[2]).toBe(3 + 3); // image channels + one-hot label maps
    expect(run(dc, [tf.zeros([2, 16, 16, 3]), labels])).toEqual([2, 1]);
    // The label changes the output.
    const out = tf.tidy(() => {
      const z = tf.randomNormal([1, 8], 0, 1, 'float32', 3);
      const a = g.predict([z, tf.oneHot(tf.tensor1d([0], 'int32'), 3).toFloat()]) as tf.Tensor;
      const b = g.predict([z, tf.oneHot(tf.tensor1d([1], 'int32'), 3).toFloat()]) as tf.Tensor;
      return a.sub(b).abs().max().dataSync()[0];
    });
    expect(out).toBeGreaterThan(0);
    [g, d, dc].forEach((m) => m.dispose());
    labels.dispose();
  });

  it("init=he: each kernel's spread is gain/√fan-in, and a net without normalization keeps its signal; N(0, 0.02) loses it", () => {
    const spec = { ...base, resolution: 64, latentDim: 32, baseWidth: 16, g: { norm: 'none' as const } };
    const std = (t: tf.Tensor) => tf.tidy(() => Math.sqrt(tf.moments(t).variance.dataSync()[0]));
    const he = buildGenerator({ ...spec, g: { ...spec.g, init: 'he', upsample: 'nearest', kernelSize: 3 } }, 1);
    const normal = buildGenerator({ ...spec, g: { ...spec.g, upsample: 'nearest', kernelSize: 3 } }, 1);
    const kernels = (m: tf.LayersModel) =>
      m.layers.filter((l) => l.getWeights().length > 0).map((l) => l.getWeights()[0]);
    // g0 (convT from 1×1: fan-in 32, ReLU gain √2), a hidden 3×3 conv (fan-in 9·128), the image conv (9·16, gain 1).
    const [g0, g1, , , out] = kernels(he);
    expect(std(g0)).toBeCloseTo(Math.sqrt(2 / 32), 2);
    expect(std(g1)).toBeCloseTo(Math.sqrt(2 / (9 * 128)), 2);
    expect(std(out)).toBeCloseTo(1 / Math.sqrt(9 * 16), 2);
    for (const k of kernels(normal)) expect(std(k)).toBeCloseTo(0.02, 2);
    const z = tf.randomNormal([16, 32], 0, 1, 'float32', 7);
    // The spread of G's images across z: what D and the loss can act on.
    const spread = (g: tf.LayersModel) =>
      tf.tidy(() =>
        Math.sqrt(
          tf
            .moments(g.predict(z) as tf.Tensor, 0)
            .variance.mean()
            .dataSync()[0],
        ),
      );
    expect(spread(he)).toBeGreaterThan(0.1);
    expect(spread(normal)).toBeLessThan(0.01);
    const dHe = buildDiscriminator({ ...base, resolution: 64, baseWidth: 16, d: { norm: 'none', init: 'he' } }, 1);
    const dNormal = buildDiscriminator({ ...base, resolution: 64, baseWidth: 16, d: { norm: 'none' } }, 1);
    const x = tf.randomUniform([8, 64, 64, 3], -1, 1, 'float32', 3);
    const score = (d: tf.LayersModel) => tf.tidy(() => std(d.predict(x) as tf.Tensor));
    expect(score(dHe)).toBeGreaterThan(100 * score(dNormal));
    for (const m of [he, normal, dHe, dNormal]) m.dispose();
    z.dispose();
    x.dispose();
  });

  it('dcgan-dense takes the options too', () => {
    const spec = { arch: 'dcgan-dense' as const, resolution: 28, channels: 1 as const, latentDim: 8, baseWidth: 4 };
    const g = buildGenerator({ ...spec, g: { norm: 'instance', upsample: 'nearest' } }, 1);
    expect(run(g, tf.zeros([2, 8]))).toEqual([2, 28, 28, 1]);
    const d = buildDiscriminator(
      { ...spec, d: { norm: 'layer', downsample: 'avgpool', minibatchStd: true, spectralNorm: true } },
      1,
    );
    expect(run(d, tf.zeros([4, 28, 28, 1]))).toEqual([4, 1]);
    g.dispose();
    d.dispose();
  });
});

describe('feeding a generator', () => {
  it('an unconditional G takes z; a conditional G takes [z, one-hot classes], cycling classes by default', async () => {
    const { generatorClassCount, generatorInputs, classesFor, latentsFor } =
      await import('../../../src/engine/models/inputs');
    const base = { arch: 'dcgan-conv' as const, resolution: 16, channels: 3 as const, latentDim: 8, baseWidth: 4 };
    const plain = buildGenerator(base, 1);
    const cond = buildGenerator(
      { ...base, conditional: { numClasses: 3, embedDim: 4, discriminator: 'projection', batchNorm: true } },
      1,
    );
    expect([generatorClassCount(plain), generatorClassCount(cond)]).toEqual([0, 3]);
    expect(Array.from(classesFor(5, 3))).toEqual([0, 1, 2, 0, 1]);
    expect(Array.from(classesFor(3, 3, 2))).toEqual([2, 2, 2]);
    expect(() => classesFor(2, 3, [5])).toThrow(/class 5/);
    const z = tf.tensor2d(latentsFor(7, 4, 8, 'uniform'), [4, 8]);
    expect(Math.max(...Array.from(z.dataSync()).map(Math.abs))).toBeLessThanOrEqual(1);
    expect(generatorInputs(plain, z)).toBe(z);
    const ins = generatorInputs(cond, z, [1, 2]) as tf.Tensor[];
    expect(ins[1].arraySync()).toEqual([
      [0, 1, 0],
      [0, 0, 1],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(tf.tidy(() => (cond.predict(ins) as tf.Tensor).shape)).toEqual([4, 16, 16, 3]);
    [z, ...ins].forEach((t) => t.dispose());
    plain.dispose();
    cond.dispose();
  });
});
