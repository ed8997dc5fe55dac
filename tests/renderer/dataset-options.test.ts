import { describe, expect, it } from 'vitest';
import { describeOptions, optionsDiffer, suggestPad } from '@renderer/lib/dataset-options';
import type { DatasetOptions } from '@shared/contract';

const base: DatasetOptions = { resolution: 64, channels: 3, resize: 'crop', background: '#FFFFFF', minSize: 8 };

describe('data set options in words', () => {
  it('tells two imports of one folder apart', () => {
    expect(describeOptions(base)).toBe('64² · RGB · crop · on #ffffff · min 8 px');
    expect(describeOptions({ ...base, resize: 'pad', background: '#000000' })).not.toBe(describeOptions(base));
    expect(describeOptions({ ...base, channels: 1 })).toContain('gray');
  });

  it('names the options that differ', () => {
    expect(optionsDiffer(base, { ...base, background: '#ffffff' })).toEqual([]);
    expect(optionsDiffer(base, { ...base, resolution: 32, resize: 'pad' })).toEqual(['resolution', 'resize']);
  });

  it('suggests Pad for transparent cut-outs imported with Crop', () => {
    const cutouts = { count: 300, sourceChannels: { rgba: 290, grayAlpha: 0 } };
    expect(suggestPad(cutouts, base)).toBe(true);
    expect(suggestPad(cutouts, { ...base, resize: 'pad' })).toBe(false);
    expect(suggestPad({ count: 300, sourceChannels: { rgba: 10, grayAlpha: 0 } }, base)).toBe(false);
  });
});
