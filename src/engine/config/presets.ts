/**
 * Named starting points. A preset is a partial config; the schema fills in
 * the rest, then a config file and `--set` override it.
 */
import type { TrainConfigInput } from '../../shared/config';

export const PRESETS = {
  /** 1×28×28 grayscale, dense stem: small, quick, made for the Fashion-MNIST demo. */
  'dcgan-28': {
    model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 100, baseWidth: 64 },
  },
  /** 3×64×64 colour, Radford et al.'s DCGAN with base width 64. */
  'dcgan-64': {
    model: { arch: 'dcgan-conv', resolution: 64, channels: 3, latentDim: 100, baseWidth: 64 },
  },
} as const satisfies Record<string, TrainConfigInput>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}
