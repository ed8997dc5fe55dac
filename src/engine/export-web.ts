/**
 * Export a generator for the web: the tfjs LayersModel that
 * `tf.loadLayersModel('…/model.json')` loads in a browser, `generator.json`
 * telling a page how to feed and read it, and a demo page that does so
 * (index.html, demo.js, the tfjs bundle, gan-sampler.js and, for custom
 * layers, gan-layers.js), so the folder works from any static server.
 * Optionally with uint8 or float16 weights (./web-export/quantize.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { copyFile, mkdtemp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LatentDist } from '../shared/config';
import { generateSeeds, type LoadedGenerator } from './generate';
import { writeFileAtomic } from './io/atomic';
import { MODEL_JSON, saveLayersModel, WEIGHTS_BIN } from './io/layers-model-fs';
import { customLayersIn } from './layers';
import { webExportFiles, WEB_LAYERS_FILE } from './layers/web';
import { DEMO_HTML, DEMO_HTML_FILE, DEMO_SCRIPT, DEMO_SCRIPT_FILE, TFJS_BUNDLE_FILE } from './web-export/demo-page';
import { quantizeWeights, type QuantizeDtype } from './web-export/quantize';
import { WEB_SAMPLER_FILE, webSamplerSource } from './web-export/sampler';
import { MODULE_SNIPPET, SCRIPT_SNIPPET } from './web-export/snippets';

export { QUANTIZE_DTYPES, type QuantizeDtype } from './web-export/quantize';

/** Seeds the quantized model is compared on against the float one (the seed rule: seeds 0..7). */
const QUANTIZE_CHECK_SEEDS = [0, 1, 2, 3, 4, 5, 6, 7];

export interface QuantizationReport {
  dtype: QuantizeDtype;
  /** Bytes of weights.bin as float32, before quantizing. */
  floatWeightBytes: number;
  /** Largest difference in grey levels (0–255) of any pixel against the float model, on QUANTIZE_CHECK_SEEDS. */
  maxPixelDiff: number;
  seeds: number[];
}

export interface GeneratorInfo {
  format: 'gan-studio-generator';
  version: 1;
  model: 'model.json';
  latentDim: number;
  /** z of this size per image, from N(0, 1) ('normal') or U(−1, 1) ('uniform'), as in training. */
  latentDistribution: LatentDist;
  /** 0: the model takes z alone. K > 0: it takes [z, oneHot(class, K)], class names in classNames (which may list names even when 0). */
  numClasses: number;
  /** A script to load after tf.min.js and before tf.loadLayersModel, when the model uses GAN Studio's custom layers; null otherwise. */
  layersScript: typeof WEB_LAYERS_FILE | null;
  /** The latent sampler (GanSampler): seed s here is seed s in the studio and in `gan-studio generate`. */
  samplerScript: typeof WEB_SAMPLER_FILE;
  /** The demo page in this folder. */
  demo: typeof DEMO_HTML_FILE;
  resolution: number;
  channels: number;
  /** Output tensor layout and value range: NHWC in [-1, 1]; map with (x + 1) · 127.5 to bytes. */
  layout: 'NHWC';
  outputRange: [-1, 1];
  classNames: string[];
  ema: boolean;
  step: number;
  preset: string;
  /** Bytes of weights.bin. */
  weightBytes: number;
  /** null: float32 weights. */
  quantization: QuantizationReport | null;
  /** Code that draws seed 42 on a canvas: a plain <script> page and an ES module for bundlers. */
  snippets: { script: string; module: string };
}

export interface WebExportOptions {
  quantize?: QuantizeDtype | null;
}

const require = createRequire(import.meta.url);

/** The tfjs browser bundle the demo page uses: the same tfjs version the engine runs. */
function tfjsBundlePath(): string {
  return require.resolve('@tensorflow/tfjs/dist/tf.min.js');
}

export async function exportForWeb(
  gen: LoadedGenerator,
  outDir: string,
  options: WebExportOptions = {},
): Promise<GeneratorInfo> {
  await mkdir(outDir, { recursive: true });
  const layers = customLayersIn(gen.model);
  let quantization: QuantizationReport | null = null;
  let weightBytes = 0;
  // Save next to the target, then move each file into place: a failed export leaves the old one intact.
  const tmp = await mkdtemp(path.join(outDir, '.export-'));
  try {
    await saveLayersModel(gen.model, tmp);
    if (options.quantize) quantization = await quantizeExport(gen, tmp, options.quantize);
    weightBytes = (await stat(path.join(tmp, WEIGHTS_BIN))).size;
    for (const [name, text] of Object.entries(webExportFiles(layers))) await writeFile(path.join(tmp, name), text);
    await writeFile(path.join(tmp, WEB_SAMPLER_FILE), webSamplerSource());
    await writeFile(path.join(tmp, DEMO_HTML_FILE), DEMO_HTML);
    await writeFile(path.join(tmp, DEMO_SCRIPT_FILE), DEMO_SCRIPT);
    await copyFile(tfjsBundlePath(), path.join(tmp, TFJS_BUNDLE_FILE));
    for (const name of await readdir(tmp)) await rename(path.join(tmp, name), path.join(outDir, name));
    // A float export after a layers one must not leave a stale gan-layers.js behind to mislead.
    if (layers.length === 0) await rm(path.join(outDir, WEB_LAYERS_FILE), { force: true });
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
    layersScript: layers.length > 0 ? WEB_LAYERS_FILE : null,
    samplerScript: WEB_SAMPLER_FILE,
    demo: DEMO_HTML_FILE,
    resolution: gen.resolution,
    channels: gen.channels,
    layout: 'NHWC',
    outputRange: [-1, 1],
    classNames: gen.classNames,
    ema: gen.ema,
    step: gen.state.step,
    preset: gen.config.preset,
    weightBytes,
    quantization,
    snippets: { script: SCRIPT_SNIPPET, module: MODULE_SNIPPET },
  };
  await writeFileAtomic(path.join(outDir, 'generator.json'), JSON.stringify(info, null, 2));
  return info;
}

interface ModelJsonFile {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/**
 * Rewrite the saved model in `dir` with quantized weights, then load it back
 * as a browser would (tfjs dequantizes) and measure the largest pixel
 * difference against the float generator on fixed seeds.
 */
async function quantizeExport(gen: LoadedGenerator, dir: string, dtype: QuantizeDtype): Promise<QuantizationReport> {
  const json = JSON.parse(await readFile(path.join(dir, MODEL_JSON), 'utf8')) as ModelJsonFile;
  const bin = await readFile(path.join(dir, WEIGHTS_BIN));
  const floatData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const { specs, data } = quantizeWeights(
    json.weightsManifest.flatMap((g) => g.weights),
    floatData,
    dtype,
  );
  json.weightsManifest = [{ paths: [`./${WEIGHTS_BIN}`], weights: specs }];
  await writeFile(path.join(dir, WEIGHTS_BIN), new Uint8Array(data));
  await writeFile(path.join(dir, MODEL_JSON), JSON.stringify(json));

  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: data }),
  );
  try {
    const float = await generateSeeds(gen, QUANTIZE_CHECK_SEEDS);
    const small = await generateSeeds({ ...gen, model }, QUANTIZE_CHECK_SEEDS);
    let maxPixelDiff = 0;
    for (let i = 0; i < float.bytes.length; i++)
      maxPixelDiff = Math.max(maxPixelDiff, Math.abs(float.bytes[i] - small.bytes[i]));
    return { dtype, floatWeightBytes: floatData.byteLength, maxPixelDiff, seeds: QUANTIZE_CHECK_SEEDS };
  } finally {
    model.dispose();
  }
}
