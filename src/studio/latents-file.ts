/** Reading a pinned-latents JSON file (`generate:parse-latents`): checked, with one line for the user when it is not one. */
import { z } from 'zod';
import type { LatentsFile } from '../shared/contract';
import { StudioError } from './errors';

const LatentsFileSchema = z.object({
  format: z.literal('gan-studio-latents'),
  version: z.literal(1),
  latentDim: z.number().int().min(1).max(4096),
  truncation: z.number().min(0).max(2).default(1),
  checkpoint: z.object({ runId: z.string(), step: z.number().int() }).nullable().default(null),
  pins: z
    .array(z.object({ seed: z.number().int().min(0).max(2 ** 31 - 1), z: z.array(z.number().finite()), class: z.number().int().min(0).max(65_535).optional() }))
    .min(1)
    .max(1024),
  savedAt: z.string().default(''),
});

export function parseLatents(json: string): LatentsFile {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new StudioError(`Not a JSON file: ${(e as Error).message}`);
  }
  const parsed = LatentsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StudioError(`Not a GAN Studio latents file: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const bad = parsed.data.pins.find((p) => p.z.length !== parsed.data.latentDim);
  if (bad) throw new StudioError(`Latents file: pin with seed ${bad.seed} has ${bad.z.length} numbers, expected latentDim ${parsed.data.latentDim}.`);
  return parsed.data as LatentsFile;
}
