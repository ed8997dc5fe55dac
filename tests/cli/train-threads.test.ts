/**
 * `gan-studio train --threads N` on the wasm backend, through real child processes:
 * the multi-threaded XNNPACK build gives bit-identical results to the single-threaded
 * one, the count is recorded in config.json (0 → physical cores), it may change on
 * resume, and a crashed compute thread ends the process with one line and leaves the
 * run as it was.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { physicalCores } from '../../src/engine/backend';
import { THREAD_FAULT_ENV } from '../../src/engine/backend/wasm-threads';
import { TINY, cliTempDir, describeResult, expectSuccess, listFiles, readJson, runCli, trainRun } from '../helpers/cli';

const ws = cliTempDir('gan-cli-threads-');
const ARGS = ['--steps', '3', '--batch', '8', '--sample-every', '0', '--checkpoint-every', '3', ...TINY];

async function checkpointBytes(runDir: string, step: string): Promise<Map<string, Buffer>> {
  const dir = path.join(runDir, 'checkpoints', step);
  const out = new Map<string, Buffer>();
  for (const f of await listFiles(dir)) if (f !== 'state.json') out.set(f, await fs.readFile(path.join(dir, f)));
  return out;
}

describe('train --threads', () => {
  let one: string;
  let two: string;

  beforeAll(async () => {
    one = (await trainRun(path.join(ws.dir, 'runs'), [...ARGS, '--threads', '1', '--name', 'one'], { env: ws.env }))
      .runDir;
    two = (await trainRun(path.join(ws.dir, 'runs'), [...ARGS, '--threads', '2', '--name', 'two'], { env: ws.env }))
      .runDir;
  });

  it('records the thread count in config.json and names it in the backend line', async () => {
    expect((await readJson<{ threads: number }>(path.join(one, 'config.json'))).threads).toBe(1);
    expect((await readJson<{ threads: number }>(path.join(two, 'config.json'))).threads).toBe(2);
  });

  it('trains bit for bit the same weights and optimizer state with 1 and 2 threads', async () => {
    const a = await checkpointBytes(one, 'step-000003');
    const b = await checkpointBytes(two, 'step-000003');
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.size).toBeGreaterThan(5);
    for (const [file, bytes] of a) expect(bytes.equals(b.get(file)!), file).toBe(true);
  });

  it('resolves the default (0) to the physical cores and says so', async () => {
    const r = expectSuccess(
      await runCli(
        [
          'train',
          ...ARGS,
          '--steps',
          '1',
          '--checkpoint-every',
          '0',
          '--name',
          'auto',
          '--out',
          path.join(ws.dir, 'auto'),
        ],
        { env: ws.env },
      ),
    );
    const [dir] = await fs.readdir(path.join(ws.dir, 'auto'));
    const cores = physicalCores();
    expect((await readJson<{ threads: number }>(path.join(ws.dir, 'auto', dir, 'config.json'))).threads).toBe(cores);
    expect(r.stderrLines.find((l) => l.startsWith('backend:'))).toContain(
      cores === 1 ? '1 thread' : `${cores} threads`,
    );
  });

  it('may change on resume, and the resumed run matches one trained straight through', async () => {
    const straight = (
      await trainRun(
        path.join(ws.dir, 'straight'),
        [...ARGS, '--steps', '4', '--checkpoint-every', '2', '--threads', '1', '--name', 's'],
        { env: ws.env },
      )
    ).runDir;
    const split = (
      await trainRun(
        path.join(ws.dir, 'split'),
        [...ARGS, '--steps', '2', '--checkpoint-every', '2', '--threads', '1', '--name', 's'],
        { env: ws.env },
      )
    ).runDir;
    expectSuccess(await runCli(['train', '--resume', split, '--steps', '4', '--threads', '2'], { env: ws.env }));
    expect((await readJson<{ threads: number }>(path.join(split, 'config.json'))).threads).toBe(2);
    const a = await checkpointBytes(straight, 'step-000004');
    const b = await checkpointBytes(split, 'step-000004');
    for (const [file, bytes] of a) expect(bytes.equals(b.get(file)!), file).toBe(true);
  });

  it('refuses --threads with a bad value, naming the flag', async () => {
    const r = await runCli(['train', ...ARGS, '--threads', 'many'], { env: ws.env });
    expect(r.code, describeResult(r)).not.toBe(0);
    const errors = r.stderrLines.filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/--threads/);
  });
});

describe('a crashed compute thread', () => {
  it('ends the process with one clear line and leaves the run as it was; resuming without the fault works', async () => {
    const runDir = (
      await trainRun(
        path.join(ws.dir, 'crash'),
        [...ARGS, '--steps', '2', '--checkpoint-every', '2', '--threads', '1', '--name', 'c'],
        { env: ws.env },
      )
    ).runDir;
    const before = await listFiles(runDir);
    const stats = await fs.readFile(path.join(runDir, 'stats.jsonl'), 'utf8');
    const r = await runCli(['train', '--resume', runDir, '--steps', '4', '--threads', '2'], {
      env: { ...ws.env, [THREAD_FAULT_ENV]: 'crash' },
    });
    expect(r.code, describeResult(r)).not.toBe(0);
    const errors = r.stderrLines.filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([
      `error: a wasm compute thread crashed (fault injected by ${THREAD_FAULT_ENV}); training stopped and nothing of the interrupted work was saved. Resume from the last checkpoint, or train with --threads 1.`,
    ]);
    expect(await listFiles(runDir)).toEqual(before);
    expect(await fs.readFile(path.join(runDir, 'stats.jsonl'), 'utf8')).toBe(stats);
    expectSuccess(await runCli(['train', '--resume', runDir, '--steps', '4', '--threads', '2'], { env: ws.env }));
    expect((await readJson<{ step: number }>(path.join(runDir, 'status.json'))).step).toBe(4);
  });
});
