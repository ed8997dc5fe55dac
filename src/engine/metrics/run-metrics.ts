/**
 * What a run needs for its metrics: the held-out split (made when the run
 * starts, read back on resume), the training data without the held-out
 * images, and the live evaluator. Runs made before the metrics existed have
 * no split: they keep training on every image, and their metrics compare
 * with training images.
 */
import type { TrainConfig } from '../../shared/config';
import type { TrainingData } from '../train/session';
import {
  chooseHoldout,
  imagesOf,
  readHoldout,
  subsetData,
  trainingIndices,
  writeHoldout,
  type HoldoutSplit,
} from './holdout';
import { LiveMetrics, MAX_REFERENCE_REALS, truncateMetrics } from './live';
import { searchBaseOf } from './sample-nearest';

/**
 * Data sets up to this many images get the live copying score: it needs every
 * image's features once (cached per data set, ./feature-cache.ts) and a search
 * of the training set per evaluation. Memorization is a small-data worry; for
 * larger sets `gan-studio nearest` measures it on demand.
 */
const MAX_LIVE_COPYING_IMAGES = 12_000;

export interface RunMetricsSetup {
  /** The images training uses. */
  train: TrainingData;
  live: LiveMetrics | null;
  split: HoldoutSplit | null;
  /** Something to tell the user (a tiny data set, a run without a split), or null. */
  note: string | null;
}

const evenly = (count: number, n: number) =>
  Array.from({ length: Math.min(count, n) }, (_, k) => Math.floor((k * count) / Math.min(count, n)));

export async function setUpRunMetrics(
  runDir: string,
  config: TrainConfig,
  data: TrainingData,
  isNew: boolean,
  resumeStep = 0,
): Promise<RunMetricsSetup> {
  let split: HoldoutSplit | null = null;
  let note: string | null = null;
  if (isNew) {
    if (config.metrics.enabled && data.count >= 2) {
      split = chooseHoldout(data.count, config.metrics.holdout, config.metrics.maxHoldout, config.seed);
      await writeHoldout(runDir, split);
      if (split.tiny) note = split.note;
    }
  } else {
    await truncateMetrics(runDir, resumeStep);
    split = await readHoldout(runDir);
    if (split && split.datasetCount !== data.count) {
      note = `The data set has ${data.count} images, not the ${split.datasetCount} this run's held-out split was made for; the metrics compare with training images from now on.`;
      split = null;
    } else if (!split && config.metrics.enabled) {
      note =
        'This run has no held-out split (it started before metrics existed, or with metrics off): its metrics compare samples with training images.';
    }
  }
  const train = split && !split.tiny ? subsetData(data, trainingIndices(split)) : data;
  let live: LiveMetrics | null = null;
  if (config.metrics.enabled && data.count >= 2) {
    const { resolution, channels } = config.model;
    const realIndices = split ? split.heldout : evenly(data.count, MAX_REFERENCE_REALS);
    const heldout = Boolean(split && !split.tiny);
    const copying =
      heldout && data.count <= MAX_LIVE_COPYING_IMAGES
        ? (await searchBaseOf(data, split, { resolution, channels })).copying
        : null;
    if (heldout && !copying)
      note = [
        note,
        `No live copying score: the data set has over ${MAX_LIVE_COPYING_IMAGES.toLocaleString('en-US')} images (gan-studio nearest measures it for a checkpoint).`,
      ]
        .filter(Boolean)
        .join(' ');
    live = await LiveMetrics.create(
      runDir,
      config,
      imagesOf(data, realIndices, resolution, channels),
      heldout,
      copying,
    );
  }
  return { train, live, split, note };
}
