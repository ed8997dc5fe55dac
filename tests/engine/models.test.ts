import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/config/presets';
import { parseConfig } from '../../src/engine/config/resolve';
import { buildDiscriminator, buildGenerator, type ModelSpec } from '../../src/engine/models/dcgan';
import { onBackend, snapshot, sameWeights } from '../helpers/tf';

beforeAll(() => onBackend('wasm'));

const specOf = (preset: keyof typeof PRESETS): ModelSpec => parseConfig(PRESETS[preset]).model;

function layerKinds(model: tf.LayersModel): string[] {
  return model.layers.map((l) => l.getClassName());
}

describe('DCGAN presets', () => {
  it('dcgan-28 has the specified layers and shapes', () => {
    const spec = specOf('dcgan-28');
    const g = buildGenerator(spec, 1);
    const d = buildDiscriminator(spec, 1);
    expect(layerKinds(g)).toEqual([
      'Dense',
      'BatchNormalization',
      'LeakyReLU',
      'Reshape',
      'Conv2DTranspose',
      'BatchNormalization',
      'LeakyReLU',
      'Conv2DTranspose',
      'Activation',
    ]);
    expect(g.layers[0].outputShape).toEqual([null, 7 * 7 * 128]);
    expect(g.layers[3].outputShape).toEqual([null, 7, 7, 128]);
    expect(g.layers[4].outputShape).toEqual([null, 14, 14, 64]);
    expect(g.outputs[0].shape).toEqual([null, 28, 28, 1]);
    expect((g.layers[0].getConfig() as { useBias: boolean }).useBias).toBe(false);
    expect((g.layers[4].getConfig() as { useBias: boolean }).useBias).toBe(false);
    expect(layerKinds(d)).toEqual(['Conv2D', 'LeakyReLU', 'Conv2D', 'LeakyReLU', 'Flatten', 'Dense']);
    expect(d.layers[0].outputShape).toEqual([null, 14, 14, 64]);
    expect(d.layers[2].outputShape).toEqual([null, 7, 7, 128]);
    expect(d.outputs[0].shape).toEqual([null, 1]);
    g.dispose();
    d.dispose();
  });

  it('dcgan-64 is the classic DCGAN: 512→256→128→64→3 and 64→128→256→512→1', () => {
    const spec = specOf('dcgan-64');
    const g = buildGenerator(spec, 1);
    const d = buildDiscriminator(spec, 1);
    const gConvs = g.layers.filter((l) => l.getClassName() === 'Conv2DTranspose');
    expect(gConvs.map((l) => (l.outputShape as number[])[3])).toEqual([512, 256, 128, 64, 3]);
    expect(gConvs.map((l) => (l.outputShape as number[])[1])).toEqual([4, 8, 16, 32, 64]);
    expect(g.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(4);
    expect(g.layers.at(-1)!.getConfig()).toMatchObject({ activation: 'tanh' });
    const dConvs = d.layers.filter((l) => l.getClassName() === 'Conv2D');
    expect(dConvs.map((l) => (l.outputShape as number[])[3])).toEqual([64, 128, 256, 512, 1]);
    expect(dConvs.map((l) => (l.outputShape as number[])[1])).toEqual([32, 16, 8, 4, 1]);
    expect(d.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(3);
    expect(d.outputs[0].shape).toEqual([null, 1]);
    g.dispose();
    d.dispose();
  });

  for (const resolution of [16, 32, 64, 128, 256]) {
    it(`dcgan-conv at ${resolution}×${resolution} maps z to images and images to one logit`, () => {
      const spec: ModelSpec = { arch: 'dcgan-conv', resolution, channels: 3, latentDim: 16, baseWidth: 4 };
      const g = buildGenerator(spec, 3);
      const d = buildDiscriminator(spec, 3);
      const out = tf.tidy(() => {
        const x = g.predict(tf.randomNormal([2, 16])) as tf.Tensor;
        return {
          x: x.shape,
          min: x.min().dataSync()[0],
          max: x.max().dataSync()[0],
          logit: (d.predict(x) as tf.Tensor).shape,
        };
      });
      expect(out.x).toEqual([2, resolution, resolution, 3]);
      expect(out.min).toBeGreaterThanOrEqual(-1);
      expect(out.max).toBeLessThanOrEqual(1);
      expect(out.logit).toEqual([2, 1]);
      g.dispose();
      d.dispose();
    });
  }

  it('channels, latent size and base width reach the layers', () => {
    const g = buildGenerator({ arch: 'dcgan-conv', resolution: 32, channels: 1, latentDim: 7, baseWidth: 5 }, 0);
    expect(g.inputs[0].shape).toEqual([null, 7]);
    expect(g.outputs[0].shape).toEqual([null, 32, 32, 1]);
    expect(
      g.layers.filter((l) => l.getClassName() === 'Conv2DTranspose').map((l) => (l.outputShape as number[])[3]),
    ).toEqual([20, 10, 5, 1]);
    g.dispose();
  });

  it('the same seed gives the same weights, another seed different ones', () => {
    const spec: ModelSpec = { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 };
    const [a, b, c] = [1, 1, 2].map((seed) => buildGenerator(spec, seed));
    expect(sameWeights(snapshot(a), snapshot(b))).toBe(true);
    expect(sameWeights(snapshot(a), snapshot(c))).toBe(false);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('weights start from N(0, 0.02)', () => {
    const g = buildGenerator(specOf('dcgan-64'), 5);
    const kernel = Array.from(g.layers[1].getWeights()[0].dataSync());
    const mean = kernel.reduce((s, v) => s + v, 0) / kernel.length;
    const std = Math.sqrt(kernel.reduce((s, v) => s + (v - mean) ** 2, 0) / kernel.length);
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    g.dispose();
  });

  it('rejects bad arguments with the option named', () => {
    const ok: ModelSpec = { arch: 'dcgan-conv', resolution: 64, channels: 3, latentDim: 100, baseWidth: 64 };
    expect(() => buildGenerator({ ...ok, resolution: 48 }, 0)).toThrow(/model\.resolution/);
    expect(() => buildGenerator({ ...ok, resolution: 512 }, 0)).toThrow(/model\.resolution/);
    expect(() => buildDiscriminator({ ...ok, arch: 'dcgan-dense' }, 0)).toThrow(/28/);
    expect(() => buildGenerator({ ...ok, channels: 2 as 1 }, 0)).toThrow(/model\.channels/);
    expect(() => buildGenerator({ ...ok, latentDim: 0 }, 0)).toThrow(/model\.latentDim/);
    expect(() => buildGenerator({ ...ok, baseWidth: 2.5 }, 0)).toThrow(/model\.baseWidth/);
  });
});
