/**
 * Zod building blocks shared by the request schemas of several domains.
 * Requests are `.strict()` objects: unknown keys are refused, so a typo in the
 * renderer (or a hostile page) never reaches a handler.
 */
import { z } from 'zod';
import { UPSCALE_FILTERS } from '../upscale';

export const runId = z.string().regex(/^\d{5,}-[\w.-]{1,64}$/, 'not a run id (a run folder name like 00001-run)');
export const absPath = z.string().min(1).max(4096);
export const taskId = z.string().min(1).max(100).optional();
export const fileName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\:*?"<>|\0]+$/, 'a plain file name, without folders')
  .refine((s) => s !== '.' && s !== '..', 'a plain file name, without folders');
export const seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
export const truncation = z.number().min(0).max(2).default(1);
export const scale = z.number().int().min(1).max(16).default(1);
/** How an upscale enlarges (src/shared/upscale.ts): crisp pixels (nearest) or smooth (lanczos). */
export const upscaleFilter = z.enum(UPSCALE_FILTERS).default('nearest');
/**
 * A class of a conditional generator (an index; the tools worker checks it is
 * below the generator's numClasses and names the classes otherwise).
 */
export const classIndex = z.number().int().min(0).max(65_535);
/**
 * The request's class for a conditional generator. Null or left out: grids and
 * batches cycle through the classes (image i gets class i mod numClasses);
 * single images, pins and interpolation use class 0. Unconditional generators
 * reject a class.
 */
export const requestClass = classIndex.nullable().optional();
