/**
 * `gan-sampler.js`: the engine's latent sampler for the page, so that seed 42
 * on an exported generator's page is seed 42 in the studio and in `gan-studio
 * generate`. It is made from the very code Node draws with (defineRng and
 * defineSeedRule's own source, as gan-layers.js is made from defineGanLayers),
 * so the two cannot drift. A classic script (or a side-effect import in a
 * bundle) that sets `globalThis.GanSampler`:
 *
 *   GanSampler.latentsOf(seeds, latentDim, latentDistribution, psi)  Float32Array, seeds.length × latentDim
 *   GanSampler.seedNoise(model, seeds)   dropout noise of image b from seeds[b] (before model.predict)
 *   GanSampler.classOf(k, numClasses, fixed), .slerp(a, b, t), .truncate(z, psi), .seedOf(s, k), .Rng, …
 */
import { defineRng } from '../rng';
import { defineSeedRule } from '../generate/seed-rule';
import { BUILD_HELPERS } from '../layers/web';

export const WEB_SAMPLER_FILE = 'gan-sampler.js';

/** The JavaScript of `gan-sampler.js`. */
export function webSamplerSource(): string {
  return `/* GAN Studio's latent sampler (the engine's RNG and seed rule), for exported generators. Generated; do not edit. */
(function (root) {
${BUILD_HELPERS}
var defineRng = ${defineRng.toString()};
var defineSeedRule = ${defineSeedRule.toString()};
var rng = defineRng();
var rule = defineSeedRule(rng);
root.GanSampler = Object.assign({ Rng: rng.Rng, deriveSeed: rng.deriveSeed, sampleLatent: rng.sampleLatent }, rule);
})(typeof globalThis !== 'undefined' ? globalThis : self);
`;
}
