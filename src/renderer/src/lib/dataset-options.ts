/** Data set preprocessing options in words, and how two sets of them differ. */
import type { DatasetOptions } from '@shared/contract';

/** "64² · RGB · pad · on #ffffff · min 8 px": enough to tell two imports of one folder apart. */
export function describeOptions(o: DatasetOptions): string {
  return `${o.resolution}² · ${o.channels === 1 ? 'gray' : 'RGB'} · ${o.resize} · on ${o.background.toLowerCase()} · min ${o.minSize} px`;
}

/** The options (by name) whose values differ between `a` and `b`. */
export function optionsDiffer(a: DatasetOptions, b: DatasetOptions): (keyof DatasetOptions)[] {
  const out: (keyof DatasetOptions)[] = [];
  if (a.resolution !== b.resolution) out.push('resolution');
  if (a.channels !== b.channels) out.push('channels');
  if (a.resize !== b.resize) out.push('resize');
  if (a.background.toLowerCase() !== b.background.toLowerCase()) out.push('background');
  if (a.minSize !== b.minSize) out.push('minSize');
  return out;
}

/** Share of source images with an alpha channel above which they are taken for cut-outs. */
const CUTOUT_SHARE = 0.5;

/**
 * Whether to suggest Pad: most images are transparent cut-outs (a figure on
 * an empty background), which Crop would cut into.
 */
export function suggestPad(
  summary: { count: number; sourceChannels: { rgba: number; grayAlpha: number } },
  options: DatasetOptions,
): boolean {
  const withAlpha = summary.sourceChannels.rgba + summary.sourceChannels.grayAlpha;
  return options.resize === 'crop' && summary.count > 0 && withAlpha / summary.count > CUTOUT_SHARE;
}

/** Pause after the last option change before the preprocessing preview is made again. */
export const LIVE_PREVIEW_DELAY_MS = 350;
