import { describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../src/engine/config/presets';
import { PRESET_GUIDE, suggestPreset } from '@shared/preset-guide';

describe('preset guide', () => {
  it('explains every preset: what it is and when to use it', () => {
    for (const name of PRESET_NAMES) {
      expect(PRESET_GUIDE[name]?.what.length, name).toBeGreaterThan(20);
      expect(PRESET_GUIDE[name]?.when.length, name).toBeGreaterThan(10);
    }
  });

  it('suggests from size, resolution, channels and count', () => {
    // a few hundred colour images at 64–256 px: fastgan, as the README recommends, saying why
    expect(suggestPreset({ count: 300, resolution: 64, channels: 3 })).toMatchObject({ preset: 'fastgan' });
    expect(suggestPreset({ count: 300, resolution: 64, channels: 3 }).reason).toMatch(
      /^300 colour images at 64²: a few hundred colour images at 64–256 px is what fastgan is for/,
    );
    expect(suggestPreset({ count: 1000, resolution: 256, channels: 3 }).preset).toBe('fastgan');
    // outside fastgan's range, the other small-data recipe, with the reason it is not fastgan
    expect(suggestPreset({ count: 300, resolution: 64, channels: 1 })).toMatchObject({
      preset: 'small-dataset',
      reason: expect.stringContaining('fastgan is for colour'),
    });
    expect(suggestPreset({ count: 300, resolution: 32, channels: 3 }).reason).toContain(
      'fastgan needs 64, 128 or 256 px',
    );
    expect(suggestPreset({ count: 1500, resolution: 64, channels: 3 }).preset).toBe('small-dataset');
    expect(suggestPreset({ count: 60_000, resolution: 28, channels: 1 }).preset).toBe('dcgan-28');
    expect(suggestPreset({ count: 20_000, resolution: 64, channels: 3 }).preset).toBe('sngan-hinge');
    expect(suggestPreset({ count: 20_000, resolution: 64, channels: 1 }).preset).toBe('sngan-hinge');
  });
});
