/** A store action's API call with its busy flag and error line kept in step. */
import { errorMessage } from './format';

export interface Flag {
  value: boolean;
}

export interface ErrorSlot {
  value: string | null;
}

/**
 * Run `fn` with `busy` set and the previous error cleared; a failure goes
 * into `error` as one line and resolves to null, so actions never throw into
 * the view.
 */
export async function guarded<T>(busy: Flag, error: ErrorSlot, fn: () => Promise<T>): Promise<T | null> {
  busy.value = true;
  error.value = null;
  try {
    return await fn();
  } catch (e) {
    error.value = errorMessage(e);
    return null;
  } finally {
    busy.value = false;
  }
}
