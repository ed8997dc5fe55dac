/**
 * Metrics of any saved checkpoint (`gan-studio metrics`): its generator
 * (the EMA copy when kept) against the run's held-out reals, re-imported
 * from the run's data folder (a cache hit when nothing changed).
 */
import type { LoadedGenerator } from '../generate/generator';
import { runDirOf } from '../run/run-dir';
import { importForConfig } from '../train/training-data';
import { metricsReference } from './compare';
import { imagesOf, readHoldout } from './holdout';
import { evaluateGenerator, MAX_REFERENCE_REALS, type MetricsLine } from './live';
import { searchBaseOf } from './sample-nearest';

export async function checkpointMetrics(
  gen: LoadedGenerator,
  count: number,
): Promise<MetricsLine & { note: string | null }> {
  const config = gen.config;
  const data = await importForConfig(config);
  const split = await readHoldout(runDirOf(gen.checkpointDir));
  let note: string | null = null;
  let indices: number[];
  if (split && split.datasetCount === data.count) {
    indices = split.heldout.slice(0, MAX_REFERENCE_REALS);
    if (split.tiny) note = split.note;
  } else {
    note = split
      ? `The data set now has ${data.count} images, not the ${split.datasetCount} of this run's split: comparing with training images.`
      : 'This run has no held-out split: comparing with training images.';
    const n = Math.min(data.count, MAX_REFERENCE_REALS);
    indices = Array.from({ length: n }, (_, k) => Math.floor((k * data.count) / n));
  }
  const { resolution, channels } = config.model;
  const reals = imagesOf(data, indices, resolution, channels);
  // The same copying score as the live one (training features from the feature cache).
  const copying = note ? null : (await searchBaseOf(data, split, { resolution, channels })).copying;
  const result = await evaluateGenerator(gen.model, config, await metricsReference(reals), count, copying);
  return { step: gen.state.step, ...result, heldout: Boolean(split && !split.tiny && !note), time: Date.now(), note };
}
