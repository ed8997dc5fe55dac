/**
 * The memorization check's training side: the images a run trained on (its
 * held-out images left out) with their features from the feature cache
 * (./feature-cache.ts), so a search only pays for the samples; the held-out
 * images' distances for the copying score; and the nearest training images
 * of one sample at a time (the studio's "click a sample"). A data set that
 * moved or went away is a UserError naming where it was.
 */
import { UserError } from '../errors';
import type { LoadedGenerator } from '../generate/generator';
import { runDirOf } from '../run/run-dir';
import type { TrainingData } from '../train/session';
import { importForConfig } from '../train/training-data';
import { copyingReference, type CopyingReference } from './copying';
import { datasetFeatures, type FeatureCacheOptions } from './feature-cache';
import { imagesOf, readHoldout, trainingIndices, type HoldoutSplit } from './holdout';
import type { ImageSet } from './image-set';
import { featureBase, nearestImages, NEAREST_FEATURE_SEED, type FeatureBase, type Neighbour } from './nearest';

/** Most held-out images the copying score compares with (as the metrics' reference). */
const MAX_COPYING_HELDOUT = 1024;

export interface SearchBase {
  /** The data-set index of each training image, in search order. */
  indices: number[];
  base: FeatureBase;
  /** Null when the run has no held-out images (a tiny set, or a split that no longer matches). */
  copying: CopyingReference | null;
  /** The training features came from the feature cache. */
  fromCache: boolean;
}

export interface TrainingImages extends SearchBase {
  images: ImageSet;
}

/** The training images' features (cached per data set and seed) and the copying reference, for a data set and its split. */
export async function searchBaseOf(
  data: TrainingData & { pixels?: Uint8Array },
  split: HoldoutSplit | null,
  shape: { resolution: number; channels: 1 | 3 },
  cache: FeatureCacheOptions = {},
): Promise<SearchBase> {
  const usable = split && split.datasetCount === data.count ? split : null;
  const indices = usable ? trainingIndices(usable) : Array.from({ length: data.count }, (_, i) => i);
  const all = await datasetFeatures(data, shape, NEAREST_FEATURE_SEED, cache);
  const dim = all.net.dim;
  const rows = (list: number[]) => {
    const out = new Float32Array(list.length * dim);
    list.forEach((i, k) => out.set(all.features.subarray(i * dim, (i + 1) * dim), k * dim));
    return out;
  };
  const base = featureBase(all.net, rows(indices));
  const heldout = usable && !usable.tiny ? usable.heldout.slice(0, MAX_COPYING_HELDOUT) : null;
  const copying = heldout?.length ? await copyingReference(base, rows(heldout)) : null;
  return { indices, base, copying, fromCache: all.fromCache };
}

/** The images a checkpoint's run trained on (all of them when its split no longer matches the data set), searchable. */
export async function trainingImagesOf(gen: LoadedGenerator, cache: FeatureCacheOptions = {}): Promise<TrainingImages> {
  const config = gen.config;
  let data;
  try {
    data = await importForConfig(config);
  } catch (err) {
    const where = config.data.dir ?? 'the bundled demo set';
    throw new UserError(
      `Cannot read the data set this run trained on (${where}): ${(err as Error).message}. Finding the nearest training images needs it: put the folder back where it was.`,
    );
  }
  const split = await readHoldout(runDirOf(gen.checkpointDir));
  const shape = { resolution: config.model.resolution, channels: config.model.channels };
  const search = await searchBaseOf(data, split, shape, cache);
  return { ...search, images: imagesOf(data, search.indices, shape.resolution, shape.channels) };
}

/** The k nearest training images of one sample, in features and in pixels; indices are into the data set. */
export async function sampleNearest(
  sample: ImageSet,
  training: TrainingImages,
  k: number,
): Promise<{ features: Neighbour[]; pixels: Neighbour[] }> {
  if (sample.count !== 1) throw new RangeError(`sampleNearest: one sample at a time, got ${sample.count}`);
  const found = await nearestImages(sample, training.images, k, training.base);
  const toData = (list: Neighbour[]) =>
    list.map((nb) => ({ index: training.indices[nb.index], distance: nb.distance }));
  return { features: toData(found.features[0]), pixels: toData(found.pixels[0]) };
}
