/**
 * Save and load tfjs LayersModels as a folder holding `model.json` and
 * `weights.bin`: the format `tf.loadLayersModel` reads in a browser and that
 * tfjs-node's `file://` handler writes. tfjs without tfjs-node has no file
 * handler in Node, so this is it, with no dependency on the native backend.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
// GAN Studio's custom layers (spectral norm, pixel norm, …) must be registered before any model that uses them loads.
import '../layers';
import { NonFiniteError, firstNonFinite } from './finite';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

export interface FiniteOption {
  /** Refuse (NonFiniteError) weights holding NaN or Inf instead of writing or returning them. */
  requireFinite?: boolean;
}

/** Write `model` into the existing folder `dir` (callers make it atomic with writeDirAtomic). */
export async function saveLayersModel(model: tf.LayersModel, dir: string, options: FiniteOption = {}): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData
        ? tf.io.CompositeArrayBuffer.join(artifacts.weightData)
        : new ArrayBuffer(0);
      if (options.requireFinite) {
        const bad = firstNonFinite(artifacts.weightSpecs ?? [], weightData);
        if (bad) throw new NonFiniteError(dir, bad);
      }
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      await writeFile(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

interface ModelJson {
  modelTopology: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Read a model folder written by saveLayersModel (or by tfjs-node / the tfjs converter, single or sharded). */
export async function loadLayersModel(dir: string, options: FiniteOption = {}): Promise<tf.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, MODEL_JSON), 'utf8')) as ModelJson;
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${path.join(dir, MODEL_JSON)} is not a tfjs LayersModel`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = await Promise.all(
    json.weightsManifest.flatMap((group) => group.paths).map((p) => readFile(path.join(dir, p))),
  );
  const weightData = tf.io.concatenateArrayBuffers(
    buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer),
  );
  const expected = weightSpecs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * bytesPer(s.dtype), 0);
  if (weightData.byteLength !== expected) {
    throw new Error(
      `${dir}: weights are ${weightData.byteLength} bytes, the manifest needs ${expected} (truncated or corrupt)`,
    );
  }
  if (options.requireFinite) {
    const bad = firstNonFinite(weightSpecs, weightData);
    if (bad) throw new NonFiniteError(dir, bad);
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs,
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
    }),
  );
}

function bytesPer(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool') return 1;
  throw new Error(`unsupported weight dtype ${dtype}`);
}
