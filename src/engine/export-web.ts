/**
 * Export a generator for the web: the tfjs LayersModel that
 * `tf.loadLayersModel('…/model.json')` loads in a browser, and
 * `generator.json` telling a page how to feed and read it.
 */
import { mkdtemp, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './io/atomic';
import { customLayersIn } from './layers';
import { webExportFiles, WEB_LAYERS_FILE } from './layers/web';
import { saveLayersModel } from './io/layers-model-fs';
import type { LatentDist } from '../shared/config';
import type { LoadedGenerator } from './generate/generator';

export interface GeneratorInfo {
  format: 'gan-studio-generator';
  version: 1;
  model: 'model.json';
  latentDim: number;
  /** z of this size per image, from N(0, 1) ('normal') or U(−1, 1) ('uniform'), as in training. */
  latentDistribution: LatentDist;
  /** 0: the model takes z alone. K > 0: it takes [z, oneHot(class, K)], class names in classNames. */
  numClasses: number;
  /** A script to load after tf.min.js and before tf.loadLayersModel, when the model uses GAN Studio's custom layers; null otherwise. */
  layersScript: typeof WEB_LAYERS_FILE | null;
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
    for (const [name, text] of Object.entries(webExportFiles(customLayersIn(gen.model)))) await writeFile(path.join(tmp, name), text);
    for (const name of await readdir(tmp)) await rename(path.join(tmp, name), path.join(outDir, name));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const info: GeneratorInfo = {
    format: 'gan-studio-generator',
    version: 1,
    model: 'model.json',
    latentDim: gen.latentDim,
    latentDistribution: gen.latentDist,
    numClasses: gen.numClasses,
    layersScript: customLayersIn(gen.model).length > 0 ? WEB_LAYERS_FILE : null,
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
