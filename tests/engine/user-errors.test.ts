/**
 * Every error meant for the user extends the one UserError class, so the CLI
 * and the studio tell them from bugs with instanceof, never by a list of names.
 */
import { describe, expect, it } from 'vitest';
import { BackendError } from '../../src/engine/backend';
import { DatasetError } from '../../src/engine/dataset';
import { UserError } from '../../src/engine/errors';
import { RunLockedError } from '../../src/engine/run/lock';
import { serializeError } from '../../src/studio/datasets-common';
import { StudioError, StudioRejectedError } from '../../src/studio/errors';

const lock = { pid: 1, host: 'h', procStart: null, startedAt: '', token: 't' };

// A user error made in a class the lists of names never heard of still counts.
class SomeFutureError extends UserError {
  override name = 'SomeFutureError';
}

const userErrors: Array<[string, Error]> = [
  ['UserError', new UserError('bad option')],
  ['DatasetError', new DatasetError('no images')],
  ['BackendError', new BackendError('wasm', 'not built')],
  ['RunLockedError', new RunLockedError('locked', lock)],
  ['StudioError', new StudioError('not found')],
  ['StudioRejectedError', new StudioRejectedError('not allowed')],
  ['SomeFutureError', new SomeFutureError('later')],
];

describe('UserError', () => {
  it.each(userErrors)('%s is a UserError and keeps its own name', (name, err) => {
    expect(err).toBeInstanceOf(UserError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
  });

  it('crosses the process boundary as its own line; anything else is an internal error', () => {
    for (const [name, err] of userErrors) expect(serializeError(err)).toEqual({ name, message: err.message });
    expect(serializeError(new TypeError('x is undefined\n  at f'))).toEqual({
      name: 'TypeError',
      message: 'Internal error: x is undefined',
    });
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    expect(serializeError(abort)).toEqual({ name: 'AbortError', message: 'The operation was aborted.' });
  });
});
