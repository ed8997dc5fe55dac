/**
 * The run list refreshes by itself when a run folder appears in the runs
 * folder or goes from it without this studio's doing (a CLI run, another
 * studio, a file manager): the backend says `runs:changed` for the whole
 * list, and says nothing while the folder stays as it is.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunsChanged } from '../../src/shared/contract';
import { makeStudio, type TestStudio } from './helpers';

let s: TestStudio;

beforeAll(async () => {
  s = await makeStudio('browser', { follow: { intervalMs: 100 } });
});

afterAll(async () => {
  await s?.backend.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const listChanges = (since: number) =>
  s.events.slice(since).filter((e) => e.channel === 'runs:changed' && (e.payload as RunsChanged).runId === null).length;

describe('the runs folder watched for runs made elsewhere', () => {
  it('reports a run folder renamed into place and one removed, and nothing in between', async () => {
    await mkdir(s.runsRoot, { recursive: true });
    await sleep(300); // a look has recorded how the folder is
    const quiet = s.mark();
    await sleep(500);
    expect(listChanges(quiet)).toBe(0);

    // as a trainer makes a run: a hidden folder, renamed into place
    const since = s.mark();
    await mkdir(path.join(s.runsRoot, '.00001-cli.partial'));
    await rename(path.join(s.runsRoot, '.00001-cli.partial'), path.join(s.runsRoot, '00001-cli'));
    await s.waitFor('runs:changed', (p) => p.runId === null && p.reason === 'created', 5000, since);

    await sleep(400);
    const gone = s.mark();
    await rm(path.join(s.runsRoot, '00001-cli'), { recursive: true });
    await s.waitFor('runs:changed', (p) => p.runId === null, 5000, gone);
  });
});
