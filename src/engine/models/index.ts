/** The model builders by architecture: dcgan-dense and dcgan-conv (./dcgan), fastgan (./fastgan). */
import type * as tf from '@tensorflow/tfjs';
import { buildDiscriminator as buildDcganD, buildGenerator as buildDcganG, type ModelSpec } from './dcgan';
import { buildFastDiscriminator, buildFastGenerator } from './fastgan';

export type { ModelSpec } from './dcgan';

export function buildGenerator(spec: ModelSpec, seed: number): tf.LayersModel {
  return spec.arch === 'fastgan' ? buildFastGenerator(spec, seed) : buildDcganG(spec, seed);
}

export function buildDiscriminator(spec: ModelSpec, seed: number): tf.LayersModel {
  return spec.arch === 'fastgan' ? buildFastDiscriminator(spec, seed) : buildDcganD(spec, seed);
}
