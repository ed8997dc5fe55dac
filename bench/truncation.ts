/**
 * What truncation ψ does to a trained generator's samples (issue 11, item 12).
 *
 *   npx tsx bench/truncation.ts --checkpoint runs/00001-x [--count 1000] [--latents 20000]
 *
 * Prints: how far the mean of many seed-rule latents is from 0 (ψ scales z
 * toward 0, which the seed rule calls "the mean latent"); the mean brightness
 * of `count` samples at several ψ; G(0) and G(z̄) (z̄: the empirical mean);
 * and the data set's mean brightness, when the run used the demo data.
 */
import { parseArgs } from 'node:util';
import { activateBackend, generateImages, latentsOf, loadDemoDataset, loadGenerator } from '../src/engine';

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    count: { type: 'string', default: '1000' },
    latents: { type: 'string', default: '20000' },
  },
});
if (!values.checkpoint) throw new Error('--checkpoint is required');
const count = Number(values.count);
const nLatents = Number(values.latents);

await activateBackend('wasm');
const gen = await loadGenerator(values.checkpoint);
const d = gen.latentDim;

const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;

// 1. The mean of many latents of the seed rule.
const seeds = Array.from({ length: nLatents }, (_, i) => 1_000_000 + i);
const all = latentsOf(seeds, d, gen.latentDist, 1);
const zBar = new Float32Array(d);
for (let i = 0; i < nLatents; i++) for (let j = 0; j < d; j++) zBar[j] += all[i * d + j] / nLatents;
const norm = Math.hypot(...zBar);
const maxAbs = Math.max(...Array.from(zBar, Math.abs));
console.log(
  `latents: ${nLatents} of ${d} dims (${gen.latentDist}): |mean| = ${norm.toFixed(4)} (sampling noise alone: sqrt(d/N) = ${Math.sqrt(d / nLatents).toFixed(4)}), largest |mean_j| = ${maxAbs.toFixed(4)}`,
);

// 2. Brightness of the samples at several ψ (seeds 0..count-1, the seed rule's own latents).
const gridSeeds = Array.from({ length: count }, (_, i) => i);
const rows: string[] = [];
for (const psi of [1, 0.8, 0.6, 0.4, 0.2, 0]) {
  const z = latentsOf(gridSeeds, d, gen.latentDist, psi);
  const images = await generateImages(gen, z, { noiseSeeds: gridSeeds });
  // Per-image spread: how much the samples still differ (mean per-pixel std over images).
  const per = images.bytes.length / count;
  let spread = 0;
  for (let p = 0; p < per; p += 7) {
    let s = 0;
    let s2 = 0;
    for (let k = 0; k < count; k++) {
      const v = images.bytes[k * per + p];
      s += v;
      s2 += v * v;
    }
    spread += Math.sqrt(Math.max(0, s2 / count - (s / count) ** 2));
  }
  rows.push(
    `ψ ${psi.toFixed(1)}: mean brightness ${mean(images.bytes).toFixed(1)} / 255, spread across samples ${(spread / Math.ceil(per / 7)).toFixed(1)}`,
  );
}
console.log(rows.join('\n'));

// 3. The image at the mean latent: 0 and the empirical mean.
const at = async (z: Float32Array) => mean((await generateImages(gen, z, { noiseSeeds: [0] })).bytes);
console.log(`G(0): ${(await at(new Float32Array(d))).toFixed(1)}; G(z̄): ${(await at(zBar)).toFixed(1)}`);

if (gen.config.data.dir == null) {
  const { resize, background, minSize } = gen.config.data;
  const ds = await loadDemoDataset({
    resolution: gen.resolution,
    channels: gen.channels as 1 | 3,
    resize,
    background,
    minSize,
  });
  console.log(`demo data: mean brightness ${mean(ds.pixels).toFixed(1)} / 255 (${ds.count} images)`);
}
gen.model.dispose();
