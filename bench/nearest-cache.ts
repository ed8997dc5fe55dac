/**
 * The latency of Generate's "nearest training images" click, with and
 * without the nearest-feature cache (issue 13).
 *
 *   npx tsx bench/nearest-cache.ts --checkpoint runs/00001-x [--clicks 3]
 *
 * What one click does in the tools process: generate the sample, then find
 * its nearest training images in features and pixels. Measured, in one
 * process, on the run's own data set, with a fresh feature-cache folder:
 *   - "uncached": what every click cost before the cache, the training
 *     images' features computed each time (nearestImages without a base);
 *   - "first click, cold": the data set read, its features computed and
 *     written to the cache, then the search;
 *   - "first click, disk": as a new tools process finds it (the studio
 *     restarted, or `gan-studio nearest`): the data set read and the features
 *     read back from the cache file;
 *   - "later clicks": the worker keeps the training set in memory, so only
 *     the sample's features and the search are left ("of which the sample":
 *     generating the one image alone).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { activateBackend, generateImages, latentsOf, loadGenerator } from '../src/engine';
import { nearestImages } from '../src/engine/metrics/nearest';
import { sampleNearest, trainingImagesOf } from '../src/engine/metrics/sample-nearest';

const { values } = parseArgs({
  options: { checkpoint: { type: 'string' }, clicks: { type: 'string', default: '3' } },
});
if (!values.checkpoint) throw new Error('--checkpoint is required');
const clicks = Number(values.clicks);

await activateBackend('wasm');
const gen = await loadGenerator(values.checkpoint);
const dir = await mkdtemp(path.join(os.tmpdir(), 'gan-nearest-bench-'));
const cache = { dir };

const sampleOf = async (seed: number) => {
  const batch = await generateImages(gen, latentsOf([seed], gen.latentDim, gen.latentDist, 1), {
    classes: null,
    noiseSeeds: [seed],
  });
  return { count: 1, size: batch.width, channels: batch.channels, bytes: batch.bytes };
};
const ms = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const row = (what: string, t: number[]) =>
  console.log(`${what.padEnd(22)} ${t.map((x) => x.toFixed(0).padStart(7)).join(' ')} ms`);

try {
  const cold = await ms(async () => {
    const training = await trainingImagesOf(gen, cache);
    await sampleNearest(await sampleOf(0), training, 3);
  });
  const disk = await ms(async () => {
    const training = await trainingImagesOf(gen, cache);
    if (!training.fromCache) throw new Error('the second read missed the feature cache');
    await sampleNearest(await sampleOf(1), training, 3);
  });
  const training = await trainingImagesOf(gen, cache);
  const later: number[] = [];
  const uncached: number[] = [];
  const sampleOnly: number[] = [];
  for (let c = 0; c < clicks; c++) {
    sampleOnly.push(await ms(() => sampleOf(10 + c)));
    later.push(await ms(async () => sampleNearest(await sampleOf(10 + c), training, 3)));
    uncached.push(await ms(async () => nearestImages(await sampleOf(10 + c), training.images, 3)));
  }
  console.log(
    `${values.checkpoint}: ${training.images.count} training images at ${training.images.size} px × ${training.images.channels}, feature dim ${training.base.net.dim}; load ${os.loadavg()[0].toFixed(1)}`,
  );
  row('uncached (before)', uncached);
  row('first click, cold', [cold]);
  row('first click, disk', [disk]);
  row('later clicks', later);
  row('  of which the sample', sampleOnly);
} finally {
  gen.model.dispose();
  await rm(dir, { recursive: true, force: true });
}
