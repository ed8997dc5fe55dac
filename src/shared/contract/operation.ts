/**
 * The shape of an operation table (one per domain file of the contract).
 *
 * Each entry maps an invoke channel to the `GanStudioApi` method that carries
 * it, the zod schema of its one request object (none for operations without
 * arguments), and its result type. The result exists only as a type: `result:
 * returns<T>()` is `undefined` at run time.
 *
 * Zod-free on purpose (types only), like ./methods.ts and ./events.ts.
 */
import type { z } from 'zod';

export interface Operation {
  /** The `GanStudioApi` method name. */
  method: string;
  /** Schema of the request object; undefined when the operation takes none. */
  request: z.ZodType | undefined;
  /** Phantom: only its type matters. */
  result: unknown;
}

export type OperationTable = Record<string, Operation>;

/** The result type of an operation, as a value that carries only its type. */
export function returns<T>(): T {
  return undefined as T;
}

/** What a caller sends: `[request]`, or `[]` for an operation without arguments. */
export type OperationArgs<O extends Operation> = O['request'] extends z.ZodType ? [z.input<O['request']>] : [];

/** What a handler receives: the request after zod parsing (defaults filled in). */
export type OperationParsedArgs<O extends Operation> = O['request'] extends z.ZodType ? [z.output<O['request']>] : [];
