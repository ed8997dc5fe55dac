/**
 * The memorization check for one generated image at a time (the studio's
 * "click a sample"): a checkpoint's training images (its run's held-out
 * images left out), loaded once, and the nearest of them to a sample, in the
 * metrics' features and in pixels. A data set that moved or went away is a
 * UserError naming where it was.
 */
import { UserError } from '../errors';
import type { LoadedGenerator } from '../generate/generator';
import { runDirOf } from '../run/run-dir';
import { importForConfig } from '../train/training-data';
import { imagesOf, readHoldout, trainingIndices } from './holdout';
import type { ImageSet } from './image-set';
import { nearestImages, type Neighbour } from './nearest';

export interface TrainingImages {
  images: ImageSet;
  /** The data-set index of each image in `images`. */
  indices: number[];
}

/** The images a checkpoint's run trained on (all of them when its split no longer matches the data set). */
export async function trainingImagesOf(gen: LoadedGenerator): Promise<TrainingImages> {
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
  const indices =
    split && split.datasetCount === data.count
      ? trainingIndices(split)
      : Array.from({ length: data.count }, (_, i) => i);
  return { images: imagesOf(data, indices, config.model.resolution, config.model.channels), indices };
}

/** The k nearest training images of one sample, in features and in pixels; indices are into the data set. */
export async function sampleNearest(
  sample: ImageSet,
  training: TrainingImages,
  k: number,
): Promise<{ features: Neighbour[]; pixels: Neighbour[] }> {
  if (sample.count !== 1) throw new RangeError(`sampleNearest: one sample at a time, got ${sample.count}`);
  const found = await nearestImages(sample, training.images, k);
  const toData = (list: Neighbour[]) =>
    list.map((nb) => ({ index: training.indices[nb.index], distance: nb.distance }));
  return { features: toData(found.features[0]), pixels: toData(found.pixels[0]) };
}
