/**
 * `gan-studio nearest`: samples of a checkpoint, each with its nearest
 * training images (features and pixels), as PNG strips and nearest.json, and
 * the run's copying score.
 */
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { LoadedGenerator } from '../generate/generator';
import { gridPng } from '../image/png';
import { writeFileAtomic } from '../io/atomic';
import { runDirOf } from '../run/run-dir';
import { copyingOf } from './copying';
import type { FeatureCacheOptions } from './feature-cache';
import { readHoldout } from './holdout';
import type { ImageSet } from './image-set';
import { sampleForMetrics } from './live';
import { nearestImages, type Neighbour } from './nearest';
import { trainingImagesOf } from './sample-nearest';

export const NEAREST_FILE = 'nearest.json';

export interface NearestReport {
  checkpoint: string;
  step: number;
  k: number;
  samples: { file: string; features: Neighbour[]; pixels: Neighbour[] }[];
  /** Null when the run has no held-out images to compare with. */
  copying: { score: number; threshold: number; warning: boolean; heldout: number } | null;
  note: string | null;
}

/** The sample and its neighbours in one batch: row 1 nearest in features, row 2 in pixels. */
function strip(samples: ImageSet, i: number, training: ImageSet, f: Neighbour[], p: Neighbour[]) {
  const rows = [i, ...f.map(() => -1), i, ...p.map(() => -1)];
  const per = samples.size * samples.size * samples.channels;
  const bytes = new Uint8Array(rows.length * per);
  const pick = [...f, ...p];
  let t = 0;
  rows.forEach((r, slot) => {
    if (r >= 0) bytes.set(samples.bytes.subarray(r * per, (r + 1) * per), slot * per);
    else {
      const idx = pick[t++].index;
      bytes.set(training.bytes.subarray(idx * per, (idx + 1) * per), slot * per);
    }
  });
  return { count: rows.length, height: samples.size, width: samples.size, channels: samples.channels, bytes };
}

export async function checkpointNearest(
  gen: LoadedGenerator,
  count: number,
  k: number,
  outDir: string,
  cache: FeatureCacheOptions = {},
): Promise<NearestReport> {
  const { resolution } = gen.config.model;
  // The training images and their features (from the feature cache), the held-out side of the copying score.
  const training = await trainingImagesOf(gen, cache);
  const samples = await sampleForMetrics(gen.model, gen.config, count);
  const found = await nearestImages(samples, training.images, k, training.base);
  await mkdir(outDir, { recursive: true });
  const toData = (list: Neighbour[]) =>
    list.map((nb) => ({ index: training.indices[nb.index], distance: nb.distance }));
  const digits = Math.max(4, String(count - 1).length);
  const report: NearestReport = {
    checkpoint: gen.checkpointDir,
    step: gen.state.step,
    k,
    samples: [],
    copying: null,
    note: null,
  };
  for (let i = 0; i < count; i++) {
    const file = `nearest-${String(i).padStart(digits, '0')}.png`;
    await writeFileAtomic(
      path.join(outDir, file),
      await gridPng(strip(samples, i, training.images, found.features[i], found.pixels[i]), {
        columns: k + 1,
        scale: resolution < 64 ? 2 : 1,
      }),
    );
    report.samples.push({ file, features: toData(found.features[i]), pixels: toData(found.pixels[i]) });
  }
  if (training.copying) {
    const c = await copyingOf(training.copying, samples);
    report.copying = { score: c.score, threshold: c.threshold, warning: c.warning, heldout: c.heldout };
  } else {
    const split = await readHoldout(runDirOf(gen.checkpointDir));
    report.note = split?.tiny
      ? 'This run trained on every image (a tiny data set): no held-out images, so no copying score.'
      : 'This run has no held-out split that matches the data set: no copying score.';
  }
  await writeFileAtomic(path.join(outDir, NEAREST_FILE), JSON.stringify(report, null, 2));
  return report;
}
