/** The seed rule (./seed-rule.ts) bound to the engine's Rng: what Node draws with. */
import { deriveSeed, Rng, sampleLatent } from '../rng';
import { defineSeedRule } from './seed-rule';

export const seedRule = defineSeedRule({ Rng, deriveSeed, sampleLatent });

export const { seedOf, latentOf, latentsOf, truncate, noiseSeedOf, classOf, seedNoise, slerp, interpolationPath } =
  seedRule;
