/**
 * Export a generator for the web: the tfjs LayersModel that
 * `tf.loadLayersModel('…/model.json')` loads in a browser, and
 * `generator.json` telling a page how to feed and read it.
 */
import { mkdtemp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './io/atomic';
import { saveLayersModel } from './io/layers-model-fs';
import type { LoadedGenerator } from './generator';

export interface GeneratorInfo {
  format: 'gan-studio-generator';
  version: 1;
  model: 'model.json';
  latentDim: number;
  /** z ~ N(0, 1) of this size per image. */
  latentDistribution: 'normal';
  resolution: number;
  channels: number;
  /** Output tensor layout and value range: NHWC in [-1, 1]; map with (x + 1) · 127.5 to bytes. */
  layout: 'NHWC';
  outputRange: [-1, 1];
  classNames: string[];
  ema: boolean;
  step: number;
  preset: string;
}

export async function exportForWeb(gen: LoadedGenerator, outDir: string): Promise<GeneratorInfo> {
  await mkdir(outDir, { recursive: true });
  // Save next to the target, then move each file into place: a failed export leaves the old one intact.
  const tmp = await mkdtemp(path.join(outDir, '.export-'));
  try {
    await saveLayersModel(gen.model, tmp);
    for (const name of await readdir(tmp)) await rename(path.join(tmp, name), path.join(outDir, name));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const info: GeneratorInfo = {
    format: 'gan-studio-generator',
    version: 1,
    model: 'model.json',
    latentDim: gen.latentDim,
    latentDistribution: 'normal',
    resolution: gen.resolution,
    channels: gen.channels,
    layout: 'NHWC',
    outputRange: [-1, 1],
    classNames: gen.classNames,
    ema: gen.ema,
    step: gen.state.step,
    preset: gen.config.preset,
  };
  await writeFileAtomic(path.join(outDir, 'generator.json'), JSON.stringify(info, null, 2));
  return info;
}
