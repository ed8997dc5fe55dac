import type { z } from 'zod';
import { UserError } from '../engine/light';
import { OUTPUT_EXISTS_ERROR } from '../shared/output-errors';

/** An error whose message is one line meant for the user (shown as is by the UI). */
export class StudioError extends UserError {
  override name = 'StudioError';
}

/** A call refused before it ran: bad arguments or a path the user did not choose. */
export class StudioRejectedError extends StudioError {
  override name = 'StudioRejectedError';
}

/** An output that would replace existing files the user did not confirm replacing (the page asks, then retries with overwrite). */
export class OutputExistsError extends StudioError {
  override name = OUTPUT_EXISTS_ERROR;
}

/** Zod issues of an argument tuple as one line: `runId: not a run id; seeds: …`. */
export function describeArgIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const p = i.path.slice(1).join('.');
      return p ? `${p}: ${i.message}` : i.message;
    })
    .join('; ');
}
