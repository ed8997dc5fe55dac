/**
 * The latents file (`gan-studio-latents`, version 1): pinned latents saved
 * from Generate, that reproduce their images exactly, in the studio, with
 * the engine, and on an export's demo page. The reader and the writer live
 * together so the format is stated once.
 *
 *   { format: 'gan-studio-latents', version: 1, latentDim, truncation,
 *     checkpoint: { runId, step } | null,
 *     pins: [{ seed, z: number[latentDim], class? }], savedAt }
 *
 * `z` is the pin's latent before truncation; `truncation` is the ψ it was
 * viewed with. `seed` names the pin's dropout noise (and, without z, its
 * latent); `class` is there only for pins of a conditional generator.
 */
import { z } from 'zod';
import type { LatentsFile } from '../../shared/contract';
import { UserError } from '../errors';
import { writeFileAtomic } from '../io/atomic';
import type { LoadedGenerator } from './generator';
import { latentOf } from './rule';

export const LATENTS_FORMAT = 'gan-studio-latents';

const LatentsFileSchema = z.object({
  format: z.literal(LATENTS_FORMAT),
  version: z.literal(1),
  latentDim: z.number().int().min(1).max(4096),
  truncation: z.number().min(0).max(2).default(1),
  checkpoint: z.object({ runId: z.string(), step: z.number().int() }).nullable().default(null),
  pins: z
    .array(
      z.object({
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1),
        z: z.array(z.number().finite()),
        class: z.number().int().min(0).max(65_535).optional(),
      }),
    )
    .min(1)
    .max(1024),
  savedAt: z.string().default(''),
});

/** A latents file's text, checked and normalised; one clear line when it is not one. */
export function parseLatentsFile(json: string): LatentsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new UserError(`Not a JSON file: ${(e as Error).message}`);
  }
  const parsed = LatentsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`Not a GAN Studio latents file: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const bad = parsed.data.pins.find((p) => p.z.length !== parsed.data.latentDim);
  if (bad)
    throw new UserError(
      `Latents file: pin with seed ${bad.seed} has ${bad.z.length} numbers, expected latentDim ${parsed.data.latentDim}.`,
    );
  return parsed.data as LatentsFile;
}

/** A pin as the studio and the page hold it: a seed, and an explicit z when it came from a file. */
export interface PinLike {
  seed: number;
  z?: ArrayLike<number>;
  class?: number | null;
}

/** A pin's latent (before truncation): its own z, else its seed's. */
export function pinLatent(gen: Pick<LoadedGenerator, 'latentDim' | 'latentDist'>, pin: PinLike): Float32Array {
  if (pin.z) {
    if (pin.z.length !== gen.latentDim)
      throw new UserError(`A pinned latent has ${pin.z.length} numbers; this generator needs ${gen.latentDim}.`);
    return Float32Array.from(pin.z);
  }
  return latentOf(pin.seed, gen.latentDim, gen.latentDist);
}

/** The latents file for some pins of a generator; each pin's class must already be resolved (null: none). */
export function latentsFileFor(
  gen: Pick<LoadedGenerator, 'latentDim' | 'latentDist'>,
  pins: (PinLike & { class: number | null })[],
  truncation: number,
  checkpoint: { runId: string; step: number } | null,
  savedAt = new Date(),
): LatentsFile {
  return {
    format: LATENTS_FORMAT,
    version: 1,
    latentDim: gen.latentDim,
    truncation,
    checkpoint,
    pins: pins.map((p) => {
      const zs = Array.from(pinLatent(gen, p));
      return p.class === null ? { seed: p.seed, z: zs } : { seed: p.seed, z: zs, class: p.class };
    }),
    savedAt: savedAt.toISOString(),
  };
}

/** Write a latents file atomically; returns its text. */
export async function writeLatentsFile(file: string, latents: LatentsFile): Promise<string> {
  const json = JSON.stringify(latents, null, 2);
  await writeFileAtomic(file, json);
  return json;
}
