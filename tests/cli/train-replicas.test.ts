/**
 * `gan-studio train --replicas N` through real child processes: the count is recorded
 * in config.json (with threads 1: each replica is a single-threaded engine), it is a
 * maths option (a resume with another count is refused), bad combinations are refused
 * with one line, and a replica that fails mid-run ends the run with one line and leaves
 * the run folder as its last step left it; resuming then works.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPLICA_FAULT_ENV } from '../../src/engine/train/replicas';
import { TINY, cliTempDir, describeResult, expectSuccess, listFiles, readJson, runCli, trainRun } from '../helpers/cli';

const ws = cliTempDir('gan-cli-replicas-');
const ARGS = ['--steps', '2', '--batch', '8', '--sample-every', '0', '--checkpoint-every', '2', ...TINY];

describe('train --replicas', () => {
  let runDir: string;

  beforeAll(async () => {
    runDir = (await trainRun(path.join(ws.dir, 'runs'), [...ARGS, '--replicas', '2', '--name', 'r'], { env: ws.env }))
      .runDir;
  });

  it('records replicas (and threads 1) in config.json', async () => {
    const config = await readJson<{ replicas: number; threads: number }>(path.join(runDir, 'config.json'));
    expect(config.replicas).toBe(2);
    expect(config.threads).toBe(1);
  });

  it('is part of the maths: resuming with another count is refused with one line', async () => {
    const r = await runCli(['train', '--resume', runDir, '--steps', '3', '--replicas', '1'], { env: ws.env });
    expect(r.code, describeResult(r)).not.toBe(0);
    const errors = r.stderrLines.filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/replicas/);
    expect((await readJson<{ step: number }>(path.join(runDir, 'status.json'))).step).toBe(2);
  });

  it('a replica that fails ends the run with one line and leaves the run as it was; resuming without the fault works', async () => {
    const before = await listFiles(runDir);
    const stats = await fs.readFile(path.join(runDir, 'stats.jsonl'), 'utf8');
    const r = await runCli(['train', '--resume', runDir, '--steps', '4'], {
      env: { ...ws.env, [REPLICA_FAULT_ENV]: 'step:3' },
    });
    expect(r.code, describeResult(r)).not.toBe(0);
    const errors = r.stderrLines.filter((l) => l.startsWith('error:'));
    expect(errors).toEqual([
      `error: training replica 2 of 2 failed (fault injected at step 3 (${REPLICA_FAULT_ENV})); the step was stopped and nothing of it was saved. Resume from the last checkpoint, or train with --replicas 1.`,
    ]);
    // The failed status is the trainer's own record of what happened; nothing else changed.
    expect(await listFiles(runDir)).toEqual(before);
    expect(await fs.readFile(path.join(runDir, 'stats.jsonl'), 'utf8')).toBe(stats);
    expect((await readJson<{ status: string; step: number }>(path.join(runDir, 'status.json'))).step).toBe(2);
    expectSuccess(await runCli(['train', '--resume', runDir, '--steps', '4'], { env: ws.env }));
    expect((await readJson<{ step: number }>(path.join(runDir, 'status.json'))).step).toBe(4);
  });

  it('refuses a batch that does not split, and a backend other than wasm, with one line naming the option', async () => {
    const odd = await runCli(['train', ...ARGS, '--replicas', '3', '--out', path.join(ws.dir, 'odd')], { env: ws.env });
    expect(odd.code, describeResult(odd)).not.toBe(0);
    const a = odd.stderrLines.filter((l) => l.startsWith('error:'));
    expect(a).toHaveLength(1);
    expect(a[0]).toMatch(/--replicas 3 needs a batch size that splits evenly/);
    const cpu = await runCli(
      ['train', ...ARGS, '--replicas', '2', '--backend', 'cpu', '--out', path.join(ws.dir, 'cpu')],
      { env: ws.env },
    );
    expect(cpu.code, describeResult(cpu)).not.toBe(0);
    const b = cpu.stderrLines.filter((l) => l.startsWith('error:'));
    expect(b).toHaveLength(1);
    expect(b[0]).toMatch(/replicas 2 runs on the wasm backend, not cpu/);
  });
});
