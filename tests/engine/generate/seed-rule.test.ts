/**
 * The seed rule (src/engine/generate/seed-rule.ts): what image k of seed s
 * is, the truncation, the noise seeds, the classes and the slerp paths.
 */
import { describe, expect, it } from 'vitest';
import { Rng, sampleLatent } from '../../../src/engine/rng';
import {
  classOf,
  interpolationPath,
  latentOf,
  latents,
  latentsOf,
  noiseSeedOf,
  seedNoise,
  seedOf,
  slerp,
  truncate,
} from '../../../src/engine/generate';

describe('the seed rule', () => {
  it('image k of seed s is the image of seed s + k, whose z is the first draws of Rng(s + k)', () => {
    expect(seedOf(42, 0)).toBe(42);
    expect(seedOf(42, 3)).toBe(45);
    const z = latents(42, 4, 10, 'normal');
    for (let k = 0; k < 4; k++) {
      const own = new Rng(42 + k).normal(new Float32Array(10));
      expect(Array.from(z.subarray(k * 10, (k + 1) * 10)), `image ${k}`).toEqual(Array.from(own));
      expect(Array.from(latentOf(42 + k, 10, 'normal'))).toEqual(Array.from(own));
    }
    // Uniform latents come from the same draws' U(−1, 1) map.
    expect(Array.from(latentOf(7, 6, 'uniform'))).toEqual(Array.from(sampleLatent(new Rng(7), 1, 6, 'uniform')));
  });

  it('truncation scales z by ψ and leaves it alone at ψ = 1', () => {
    const z = latentOf(3, 8, 'normal');
    expect(truncate(z, 1)).toBe(z);
    expect(Array.from(truncate(z, 0.5))).toEqual(Array.from(z, (v) => Math.fround(v * 0.5)));
    expect(Array.from(latentsOf([3], 8, 'normal', 0.5))).toEqual(Array.from(truncate(z, 0.5)));
  });

  it('gives each seed and noise layer its own noise seed, and seeds only GanNoiseDropout layers', () => {
    expect(noiseSeedOf(5, 0)).not.toBe(noiseSeedOf(6, 0));
    expect(noiseSeedOf(5, 1)).not.toBe(noiseSeedOf(5, 0));
    const noise = [
      { getClassName: () => 'GanNoiseDropout', noiseSeed: null as number | number[] | null },
      { getClassName: () => 'GanNoiseDropout', noiseSeed: null as number | number[] | null },
    ];
    const model = {
      getClassName: () => 'Model',
      layers: [{ getClassName: () => 'Dense' }, { getClassName: () => 'Sequential', layers: [noise[0]] }, noise[1]],
    };
    expect(seedNoise(model, [5, 6])).toBe(true);
    expect(noise[0].noiseSeed).toEqual([noiseSeedOf(5, 0), noiseSeedOf(6, 0)]);
    expect(noise[1].noiseSeed).toEqual([noiseSeedOf(5, 1), noiseSeedOf(6, 1)]);
    expect(seedNoise(model, null)).toBe(true);
    expect(noise[0].noiseSeed).toBeNull();
    expect(seedNoise({ getClassName: () => 'Model', layers: [{ getClassName: () => 'Dense' }] }, [1])).toBe(false);
  });

  it('cycles classes by position unless one is fixed; none for an unconditional G', () => {
    expect([0, 1, 2, 3, 4].map((k) => classOf(k, 3))).toEqual([0, 1, 2, 0, 1]);
    expect([0, 1, 2].map((k) => classOf(k, 3, 2))).toEqual([2, 2, 2]);
    expect(classOf(4, 0)).toBeNull();
  });
});

describe('slerp', () => {
  const a = Float32Array.from([1, 0, 0]);
  const b = Float32Array.from([0, 2, 0]);
  it('hits both ends and moves along the arc', () => {
    expect(Array.from(slerp(a, b, 0))).toEqual([1, 0, 0]);
    const end = slerp(a, b, 1);
    expect(end[0]).toBeCloseTo(0, 6);
    expect(end[1]).toBeCloseTo(2, 6);
    const mid = slerp(a, b, 0.5);
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(mid[1]).toBeCloseTo(2 * Math.SQRT1_2, 5);
  });
  it('falls back to a straight line for parallel vectors', () => {
    const mid = slerp(a, Float32Array.from([3, 0, 0]), 0.5);
    expect(Array.from(mid)).toEqual([2, 0, 0]);
  });
  it('builds open and looping paths through every point', () => {
    const pts = [a, b, Float32Array.from([0, 0, 1])];
    const open = interpolationPath(pts, 4, false);
    expect(open).toHaveLength(9);
    expect(Array.from(open[4].z)).toEqual(Array.from(slerp(b, pts[2], 0)));
    expect(Array.from(open[8].z)).toEqual([0, 0, 1]);
    expect(interpolationPath(pts, 4, true)).toHaveLength(12);
  });
});

describe('interpolation frames', () => {
  it('take their noise and class from the nearer pin, so the ends are the pins themselves', () => {
    const pts = [latentOf(1, 4, 'normal'), latentOf(2, 4, 'normal')];
    const path = interpolationPath(pts, 4, false);
    expect(path.map((f) => f.from)).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(path[0].z)).toEqual(Array.from(pts[0]));
    expect(Array.from(path[4].z)).toEqual(Array.from(pts[1]));
    expect(interpolationPath(pts, 4, true).map((f) => f.from)).toEqual([0, 0, 1, 1, 1, 1, 0, 0]);
  });
});
