/**
 * Stopping `gan-studio train` with SIGTERM / SIGINT: it finishes the step,
 * saves a checkpoint, marks the run stopped and exits 0; --resume carries on.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  TINY,
  cliTempDir,
  checkpointNames,
  describeResult,
  expectSuccess,
  readJson,
  readStats,
  runCli,
  runDirs,
  startCli,
  startTrainingRun,
  waitFor,
  type CliChild,
  type CliResult,
} from '../helpers/cli';

const ws = cliTempDir('gan-cli-sig-');
let outs = 0;

const LONG_RUN = ['--steps', '100000', '--checkpoint-every', '0', '--sample-every', '0', ...TINY];

/** Start a long training run; resolves once stats.jsonl holds at least `lines` steps. */
async function startLongRun(extra: string[] = [], lines = 2): Promise<{ proc: CliChild; out: string; runDir: string }> {
  const out = path.join(ws.dir, `runs-${outs++}`);
  const { proc, runDir } = await startTrainingRun(out, [...LONG_RUN, ...extra], {
    env: ws.env,
    timeoutMs: 100_000,
    lines,
  });
  return { proc, out, runDir };
}

/** Wait for the child to exit, failing if it takes longer than `ms`. */
async function exitWithin(proc: CliChild, ms: number): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      proc.child.kill('SIGKILL');
      reject(new Error(`train did not exit within ${ms} ms of the signal\n${proc.stderr()}`));
    }, ms);
  });
  try {
    return await Promise.race([proc.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('stopping a training run', () => {
  it('SIGTERM: finishes the step, checkpoints it, exits 0 with status "stopped"; --resume continues', async () => {
    const { proc, runDir } = await startLongRun(['--batch', '8']);
    proc.child.kill('SIGTERM');
    const r = await exitWithin(proc, 30_000);
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.signal).toBeNull();

    const status = await readJson<{ status: string; step: number; steps: number }>(path.join(runDir, 'status.json'));
    expect(status.status).toBe('stopped');
    expect(status.steps).toBe(100000);
    const last = status.step;
    expect(last).toBeGreaterThanOrEqual(2);

    const stats = await readStats(runDir);
    expect(stats.map((s) => s.step)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(await checkpointNames(runDir)).toEqual([`step-${String(last).padStart(6, '0')}`]);
    expect(
      await readJson(path.join(runDir, 'checkpoints', `step-${String(last).padStart(6, '0')}`, 'state.json')),
    ).toMatchObject({ step: last });
    expect((await fs.readdir(path.join(runDir, 'samples'))).sort()).toEqual([
      'step-000000.png',
      `step-${String(last).padStart(6, '0')}.png`,
    ]);

    expect(r.stderrLines).toContain(
      'SIGTERM: stopping after this step and saving a checkpoint (press Ctrl-C again to quit at once)',
    );
    expect(r.stderrLines).toContain(
      `checkpoint: ${path.join(runDir, 'checkpoints', `step-${String(last).padStart(6, '0')}`)}`,
    );
    expect(r.stderrLines[r.stderrLines.length - 1]).toBe(`stopped at step ${last}: ${runDir}`);

    // Resume to two steps past the stop.
    const resumed = expectSuccess(
      await runCli(['train', '--resume', runDir, '--steps', String(last + 2)], { env: ws.env }),
    );
    expect(resumed.stderrLines[resumed.stderrLines.length - 1]).toBe(`finished at step ${last + 2}: ${runDir}`);
    expect((await readStats(runDir)).map((s) => s.step)).toEqual(Array.from({ length: last + 2 }, (_, i) => i + 1));
    expect(await readJson(path.join(runDir, 'status.json'))).toMatchObject({
      status: 'finished',
      step: last + 2,
      steps: last + 2,
    });
    expect(await checkpointNames(runDir)).toEqual([
      `step-${String(last).padStart(6, '0')}`,
      `step-${String(last + 2).padStart(6, '0')}`,
    ]);
  });

  it('SIGINT: same clean stop', async () => {
    const { proc, runDir } = await startLongRun(['--batch', '4']);
    proc.child.kill('SIGINT');
    const r = await exitWithin(proc, 30_000);
    expect(r.code, describeResult(r)).toBe(0);
    const status = await readJson<{ status: string; step: number }>(path.join(runDir, 'status.json'));
    expect(status.status).toBe('stopped');
    expect(await checkpointNames(runDir)).toEqual([`step-${String(status.step).padStart(6, '0')}`]);
    expect((await readStats(runDir)).map((s) => s.step).at(-1)).toBe(status.step);
    expect(r.stderrLines).toContain(
      'SIGINT: stopping after this step and saving a checkpoint (press Ctrl-C again to quit at once)',
    );
    expect(r.stderrLines[r.stderrLines.length - 1]).toBe(`stopped at step ${status.step}: ${runDir}`);
  });

  it('a second signal quits at once with exit 130', async () => {
    // Large batches make a step slow, so the second signal lands before the stop completes.
    const { proc } = await startLongRun(['--batch', '256'], 1);
    proc.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 30));
    proc.child.kill('SIGTERM');
    const r = await exitWithin(proc, 30_000);
    expect(r.code, describeResult(r)).toBe(130);
    expect(r.stderrLines).toContain('SIGTERM again: exiting without a final checkpoint.');
  });

  it('a signal during the dataset import exits 0 without training', async () => {
    // A fresh cache folder, so the demo set is decoded (and "importing:" printed) again.
    const out = path.join(ws.dir, 'runs-import');
    const proc = startCli(['train', '--out', out, ...LONG_RUN], {
      env: { GAN_STUDIO_CACHE: path.join(ws.dir, 'cache-import') },
      timeoutMs: 100_000,
    });
    await waitFor(async () => proc.stderr().includes('importing:'), 60_000, 'the import to start');
    proc.child.kill('SIGINT');
    const r = await exitWithin(proc, 30_000);
    expect(r.stderrLines).toContain('SIGINT: stopping');
    expect(r.stderrLines).toContain('stopped during the dataset import; nothing was trained.');
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stderrLines.filter((l) => l.startsWith('error:'))).toEqual([]);
    expect(await runDirs(out)).toEqual([]);
  });
});
