/**
 * Generation: everything between a checkpoint and pixels, shared by
 * `gan-studio generate`, the studio's tools worker and web exports.
 *
 * - ./seed-rule.ts  what image k of seed s is (latent, noise, class, slerp); shipped to web exports
 * - ./rule.ts       that rule bound to the engine's Rng
 * - ./generator.ts  loading a generator from a checkpoint; class checks
 * - ./images.ts     latents to pixels in bounded batches
 * - ./batch.ts      many images to a folder, streamed, with progress
 * - ./latents-file.ts  the pinned-latents JSON format, reader and writer
 */
export { checkClass, classList, loadGenerator, parseClass, type LoadedGenerator } from './generator';
export {
  generateImages,
  generateSeeds,
  latents,
  GENERATE_BATCH,
  type GenerateOptions,
  type SeedImagesOptions,
} from './images';
export {
  checkImageCount,
  defaultImageName,
  MAX_BATCH_IMAGES,
  MAX_GRID_IMAGES,
  prepareOutputFolder,
  writeSeedBatch,
  type WriteBatchOptions,
  type WriteBatchResult,
} from './batch';
export {
  LATENTS_FORMAT,
  latentsFileFor,
  parseLatentsFile,
  pinLatent,
  writeLatentsFile,
  type PinLike,
} from './latents-file';
export {
  classOf,
  interpolationPath,
  latentOf,
  latentsOf,
  noiseSeedOf,
  seedNoise,
  seedOf,
  seedRule,
  slerp,
  truncate,
} from './rule';
