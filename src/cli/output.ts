/**
 * How the CLI talks: results on stdout, messages on stderr, one line per
 * user error, stack traces only with --verbose.
 */
import { CommanderError } from 'commander';
import { UserError } from '../engine';

let verbose = false;

export function setVerbose(on: boolean): void {
  verbose = on;
}

export function info(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`warning: ${message}\n`);
}

/** Errors a user can fix get their message; anything else is reported as an internal error. */
export function reportError(err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const expected = e instanceof UserError || e instanceof CommanderError;
  const line = expected ? e.message : `internal error: ${e.message}`;
  // One line, always: messages that quote a file's text may hold newlines.
  process.stderr.write(`error: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
  if (verbose) process.stderr.write(`${e.stack ?? ''}\n`);
  else if (!expected) process.stderr.write('Run again with --verbose for details.\n');
}
