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
import { importForConfig } from '../train/training-data';
import { imagesOf, readHoldout, trainingIndices } from './holdout';
import type { ImageSet } from './image-set';
import { sampleForMetrics } from './live';
import { COPYING_WARNING, copyingScore, nearestImages, type Neighbour } from './nearest';

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
): Promise<NearestReport> {
  const config = gen.config;
  const data = await importForConfig(config);
  const split = await readHoldout(runDirOf(gen.checkpointDir));
  const usable = split && split.datasetCount === data.count ? split : null;
  const trainIdx = usable ? trainingIndices(usable) : Array.from({ length: data.count }, (_, i) => i);
  const { resolution, channels } = config.model;
  const training = imagesOf(data, trainIdx, resolution, channels);
  const samples = await sampleForMetrics(gen.model, config, count);
  const heldout = usable && !usable.tiny ? imagesOf(data, usable.heldout, resolution, channels) : null;
  // One search for samples and held-out reals together: the same features, the same standardiser.
  const queries: ImageSet = heldout
    ? { ...samples, count: samples.count + heldout.count, bytes: concat(samples.bytes, heldout.bytes) }
    : samples;
  const found = await nearestImages(queries, training, k);
  await mkdir(outDir, { recursive: true });
  const toData = (list: Neighbour[]) => list.map((nb) => ({ index: trainIdx[nb.index], distance: nb.distance }));
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
      await gridPng(strip(samples, i, training, found.features[i], found.pixels[i]), {
        columns: k + 1,
        scale: resolution < 64 ? 2 : 1,
      }),
    );
    report.samples.push({ file, features: toData(found.features[i]), pixels: toData(found.pixels[i]) });
  }
  if (heldout) {
    const c = copyingScore(
      found.features.slice(0, count).map((l) => l[0].distance),
      found.features.slice(count).map((l) => l[0].distance),
    );
    report.copying = { ...c, warning: c.score > COPYING_WARNING, heldout: heldout.count };
  } else {
    report.note = usable?.tiny
      ? 'This run trained on every image (a tiny data set): no held-out images, so no copying score.'
      : 'This run has no held-out split that matches the data set: no copying score.';
  }
  await writeFileAtomic(path.join(outDir, NEAREST_FILE), JSON.stringify(report, null, 2));
  return report;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
