/**
 * `train --dry-run`, one trainer per run between two real CLI processes, a
 * kill -9 that leaves the run interrupted (not running) and resumable, and
 * the up-front estimate of a long run.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/engine/run/run-dir';
import { readRunStatus } from '../../src/engine/run/status';
import {
  TINY,
  cliTempDir,
  describeResult,
  expectSuccess,
  readJson,
  readStats,
  runCli,
  trainRun,
  startTrainingRun,
  waitFor,
  type CliChild,
} from '../helpers/cli';

const ws = cliTempDir('gan-cli-ctl-');
let finishedRun: string;

beforeAll(async () => {
  finishedRun = (
    await trainRun(
      path.join(ws.dir, 'runs'),
      ['--steps', '2', '--batch', '4', '--sample-every', '0', '--name', 'short', ...TINY],
      { env: ws.env },
    )
  ).runDir;
});

async function snapshotTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath, e.name);
    out.push(e.isFile() ? `${full} ${(await fs.stat(full)).size} ${(await fs.stat(full)).mtimeMs}` : full);
  }
  return out.sort();
}

/** A long run in its own --out folder, once it has trained `lines` steps. */
function startLongRun(name: string, lines = 2): Promise<{ proc: CliChild; runDir: string }> {
  const args = ['--steps', '100000', '--batch', '4', '--checkpoint-every', '3', '--sample-every', '0', ...TINY];
  return startTrainingRun(path.join(ws.dir, `runs-${name}`), args, {
    env: ws.env,
    timeoutMs: 200_000,
    lines,
    waitMs: 90_000,
  });
}

describe('train --dry-run', () => {
  it('prints the resolved config and the run folder it would create, and creates nothing', async () => {
    const out = path.join(ws.dir, 'dry', 'runs');
    const r = expectSuccess(
      await runCli(
        ['train', '--dry-run', '--out', out, '--name', 'cats', '--steps', '123', '--set', 'g.lr=0.0003', ...TINY],
        { env: ws.env },
      ),
    );
    const config = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(config).toMatchObject({
      name: 'cats',
      preset: 'dcgan-28',
      steps: 123,
      backend: 'wasm',
      g: { lr: 0.0003 },
      model: { baseWidth: 8 },
    });
    expect(r.stderrLines).toEqual([`dry run: would create ${path.resolve(out, '00001-cats')}`]);
    await expect(fs.stat(path.join(ws.dir, 'dry'))).rejects.toThrow(/ENOENT/);
  });

  it('numbers after the runs already there', async () => {
    const r = expectSuccess(
      await runCli(['train', '--dry-run', '--out', path.dirname(finishedRun), '--name', 'more'], { env: ws.env }),
    );
    expect(r.stderrLines).toEqual([`dry run: would create ${path.join(path.dirname(finishedRun), '00002-more')}`]);
  });

  it('on --resume: the config with the changes and the step it continues from, the run left as it was', async () => {
    const before = await snapshotTree(finishedRun);
    const r = expectSuccess(
      await runCli(['train', '--dry-run', '--resume', finishedRun, '--steps', '9', '--checkpoint-every', '4'], {
        env: ws.env,
      }),
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'short', steps: 9, checkpointEvery: 4, batchSize: 4 });
    expect(r.stderrLines).toEqual([`dry run: would resume ${finishedRun} from step 2 to step 9`]);
    expect(await snapshotTree(finishedRun)).toEqual(before);
  });

  it('refuses what a real start would refuse, with the same line', async () => {
    const r = await runCli(['train', '--dry-run', '--resume', finishedRun, '--steps', '9', '--batch', '2'], {
      env: ws.env,
    });
    expect(r.code).toBe(1);
    expect(r.stderrLines).toEqual([
      'error: --resume cannot change batchSize; only steps, sampleEvery, checkpointEvery, keepCheckpoints, backend, threads, data.dir, metrics.enabled, metrics.every, metrics.samples, metrics.budget may change on resume.',
    ]);
    const bad = await runCli(['train', '--dry-run', '--set', 'model.resolution=30'], { env: ws.env });
    expect(bad.code).toBe(1);
    expect(bad.stderrLines).toHaveLength(1);
    expect(bad.stderrLines[0]).toMatch(/^error: Invalid option "model.resolution"/);
  });
});

describe('one trainer per run', () => {
  it('a second train --resume of a run in training is refused with one line naming the process, and changes nothing', async () => {
    const { proc, runDir } = await startLongRun('locked');
    const lock = await readJson<{ pid: number }>(path.join(runDir, LOCK_FILE));
    expect(lock.pid).toBe(proc.child.pid);
    const statsBefore = (await readStats(runDir)).length;

    const second = await runCli(['train', '--resume', runDir, '--steps', '200000'], { env: ws.env });
    expect(second.code, describeResult(second)).toBe(1);
    expect(second.stderrLines).toHaveLength(1);
    expect(second.stderrLines[0]).toMatch(
      new RegExp(
        `^error: Run ${runDir} is being trained by process ${proc.child.pid} on this machine \\(.+\\) since .+; stop that one first\\.$`,
      ),
    );
    // The first trainer goes on; its steps stay unique.
    proc.child.kill('SIGTERM');
    const first = await proc.done;
    expect(first.code, describeResult(first)).toBe(0);
    const steps = (await readStats(runDir)).map((s) => s.step);
    expect(steps.length).toBeGreaterThanOrEqual(statsBefore);
    expect(new Set(steps).size).toBe(steps.length);
    // A clean stop releases the lock.
    await expect(fs.stat(path.join(runDir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
    expect((await readRunStatus(runDir)).status).toBe('stopped');
  });

  it('kill -9: status.json still says running, readers see interrupted, and --resume takes over the stale lock', async () => {
    const { proc, runDir } = await startLongRun('killed', 4);
    await waitFor(
      async () => (await fs.readdir(path.join(runDir, 'checkpoints'))).some((n) => n.startsWith('step-')),
      60_000,
      'a checkpoint',
    );
    proc.child.kill('SIGKILL');
    await proc.done;
    expect(await readJson(path.join(runDir, 'status.json'))).toMatchObject({ status: 'running', pid: proc.child.pid });
    expect(await readJson(path.join(runDir, LOCK_FILE))).toMatchObject({ pid: proc.child.pid });
    expect((await readRunStatus(runDir)).status).toBe('interrupted');

    const newest = Math.max(
      ...(await fs.readdir(path.join(runDir, 'checkpoints')))
        .filter((n) => n.startsWith('step-'))
        .map((n) => Number(n.slice(5))),
    );
    const resumed = expectSuccess(
      await runCli(['train', '--resume', runDir, '--steps', String(newest + 2)], { env: ws.env }),
    );
    expect(resumed.stderrLines).toContain(
      `resuming from ${path.join(runDir, 'checkpoints', `step-${String(newest).padStart(6, '0')}`)}: ${runDir}`,
    );
    expect(resumed.stderrLines.at(-1)).toBe(`finished at step ${newest + 2}: ${runDir}`);
    expect((await readRunStatus(runDir)).status).toBe('finished');
    await expect(fs.stat(path.join(runDir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
  });
});

describe('a long run', () => {
  it('says up front how long it will take here, measured on its first steps', async () => {
    const { proc } = await startLongRun('estimate', 6);
    proc.child.kill('SIGTERM');
    const r = await proc.done;
    expect(r.code, describeResult(r)).toBe(0);
    const estimate = r.stderrLines.filter((l) => l.startsWith('estimate: '));
    expect(estimate).toHaveLength(1);
    expect(estimate[0]).toMatch(
      /^estimate: about (\d+h\d\dm|\d+m\d\ds) for the \d+ steps left, at \d+ ms\/step here \(Ctrl-C stops with a checkpoint; --resume continues\)$/,
    );
    const lines = r.stderrLines;
    expect(lines.indexOf(estimate[0])).toBeLessThan(lines.length - 1);
    expect(lines.at(-1)).toMatch(/^stopped at step \d+: /);
  });

  it('a short one gets no estimate line', async () => {
    const r = expectSuccess(await runCli(['train', '--resume', finishedRun, '--steps', '7'], { env: ws.env }));
    expect(r.stderrLines.filter((l) => l.startsWith('estimate:'))).toEqual([]);
  });
});
