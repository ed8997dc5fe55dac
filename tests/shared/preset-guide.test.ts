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
    expect(suggestPreset({ count: 300, resolution: 64, channels: 3 })).toMatchObject({ preset: 'small-dataset' });
    expect(suggestPreset({ count: 300, resolution: 64, channels: 3 }).reason).toContain('300 colour images at 64²');
    expect(suggestPreset({ count: 60_000, resolution: 28, channels: 1 }).preset).toBe('dcgan-28');
    expect(suggestPreset({ count: 20_000, resolution: 64, channels: 3 }).preset).toBe('sngan-hinge');
    expect(suggestPreset({ count: 20_000, resolution: 64, channels: 1 }).preset).toBe('sngan-hinge');
  });
});
