/**
 * `gan-studio train` on the bundled demo data, and `train --resume`, through a
 * real child process: exit codes, the run folder, stats.jsonl, samples, logs.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  TINY,
  cliTempDir,
  checkpointNames,
  describeResult,
  expectSuccess,
  gridSide,
  listFiles,
  pngInfo,
  readJson,
  readStats,
  runCli,
  stackLines,
  trainRun,
  type CliResult,
} from '../helpers/cli';

const ws = cliTempDir('gan-cli-train-');
let runDir: string;
let first: CliResult;

const STAT_KEYS = ['lossD', 'lossG', 'dReal', 'dFake', 'gradNormD', 'gradNormG', 'imgPerSec'] as const;
const MODEL_FILES = ['model.json', 'weights.bin'];
const CHECKPOINT_FILES = [
  ...['d', 'g', 'g_ema'].flatMap((m) => MODEL_FILES.map((f) => `${m}/${f}`)),
  'optimizer-d.bin',
  'optimizer-g.bin',
  'optimizer.json',
  'state.json',
].sort();

beforeAll(async () => {
  const r = await trainRun(
    path.join(ws.dir, 'runs'),
    ['--steps', '4', '--batch', '8', '--sample-every', '2', '--checkpoint-every', '2', '--name', 'demo', ...TINY],
    { env: ws.env },
  );
  runDir = r.runDir;
  first = r.result;
});

describe('train on the demo data', () => {
  it('makes 00001-<name> with exactly the documented files', async () => {
    expect(path.basename(runDir)).toBe('00001-demo');
    const files = await listFiles(runDir);
    expect(files).toEqual(
      [
        'config.json',
        'import-report.json',
        'run.json',
        'stats.jsonl',
        'status.json',
        'samples/step-000000.png',
        'samples/step-000002.png',
        'samples/step-000004.png',
        ...CHECKPOINT_FILES.map((f) => `checkpoints/step-000002/${f}`),
        ...CHECKPOINT_FILES.map((f) => `checkpoints/step-000004/${f}`),
      ].sort(),
    );
    const status = await readJson(path.join(runDir, 'status.json'));
    expect(status).toMatchObject({ status: 'finished', step: 4, steps: 4, backend: 'wasm' });
    const state = await readJson(path.join(runDir, 'checkpoints/step-000004/state.json'));
    expect(state).toMatchObject({ format: 2, step: 4, backend: 'wasm' });
  });

  it('writes one finite stats line per step', async () => {
    const stats = await readStats(runDir);
    expect(stats.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    for (const s of stats) {
      for (const k of STAT_KEYS) {
        expect(typeof s[k], `${k} of step ${s.step}`).toBe('number');
        expect(Number.isFinite(s[k]), `${k} of step ${s.step} is ${s[k]}`).toBe(true);
      }
      expect(s.imgPerSec).toBeGreaterThan(0);
      expect(s.dReal).toBeGreaterThanOrEqual(0);
      expect(s.dReal).toBeLessThanOrEqual(1);
      expect(s.dFake).toBeGreaterThanOrEqual(0);
      expect(s.dFake).toBeLessThanOrEqual(1);
    }
  });

  it('saves sample grids as valid PNGs of 8×8 28-pixel grayscale images', async () => {
    for (const step of ['000000', '000002', '000004']) {
      const png = await pngInfo(path.join(runDir, 'samples', `step-${step}.png`));
      expect(png).toEqual({ width: gridSide(8, 28), height: gridSide(8, 28), channels: 1 });
    }
  });

  it('records the resolved options in config.json', async () => {
    const config = await readJson(path.join(runDir, 'config.json'));
    expect(config).toMatchObject({
      name: 'demo',
      preset: 'dcgan-28',
      backend: 'wasm',
      steps: 4,
      batchSize: 8,
      sampleEvery: 2,
      checkpointEvery: 2,
      keepCheckpoints: 3,
      seed: 0,
      data: { dir: null },
      model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 100, baseWidth: 8 },
      ema: { enabled: true },
    });
  });

  it('records the demo import in import-report.json', async () => {
    const report = await readJson<{ imported: number; skipped: unknown[]; classNames: string[] }>(
      path.join(runDir, 'import-report.json'),
    );
    expect(report.imported).toBe(3000);
    expect(report.skipped).toEqual([]);
    expect(report.classNames).toHaveLength(10);
  });

  it('logs plain lines on stderr (no TTY), nothing on stdout', () => {
    const r = first;
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('\x1b'); // no progress bar, no colours
    const lines = r.stderrLines;
    expect(lines[0]).toMatch(/^backend: wasm \(wasm as requested: WebAssembly/);
    expect(lines).toContain(`run: ${runDir}`);
    // The demo set has 10 class folders, but an unconditional run does not use them: no "10 classes".
    expect(lines.some((l) => /^data: 3000 images from the bundled Fashion-MNIST demo set.*28×28×1$/.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => /^step 1\/4 {2}lossD -?\d+\.\d{3} {2}lossG .* img\/s {2}ETA /.test(l))).toBe(true);
    expect(lines.some((l) => /^step 4\/4 /.test(l))).toBe(true);
    expect(lines).toContain(`checkpoint: ${path.join(runDir, 'checkpoints', 'step-000002')}`);
    expect(lines).toContain(`checkpoint: ${path.join(runDir, 'checkpoints', 'step-000004')}`);
    expect(lines[lines.length - 1]).toBe(`finished at step 4: ${runDir}`);
    expect(lines.filter((l) => l.startsWith('error:') || l.startsWith('warning:'))).toEqual([]);
  });

  it('numbers a second run 00002 and uses the cached dataset', async () => {
    const out = path.join(ws.dir, 'runs');
    const r = await trainRun(
      out,
      ['--steps', '1', '--batch', '4', '--sample-every', '0', '--checkpoint-every', '0', ...TINY],
      { env: ws.env },
    );
    expect(path.basename(r.runDir)).toBe('00002-run');
    expect(r.result.stderr).toMatch(/^data: 3000 images from the bundled Fashion-MNIST demo set \(cached\)/m);
    // --checkpoint-every 0 and --sample-every 0: only step 0's sample and the final ones.
    expect(await fs.readdir(path.join(r.runDir, 'samples'))).toEqual(['step-000000.png', 'step-000001.png']);
    expect(await checkpointNames(r.runDir)).toEqual(['step-000001']);
  });
});

describe('train --resume', () => {
  it('refuses to change model options, naming the option, and leaves the run untouched', async () => {
    const configBefore = await fs.readFile(path.join(runDir, 'config.json'), 'utf8');
    const statsBefore = await fs.readFile(path.join(runDir, 'stats.jsonl'), 'utf8');
    for (const args of [
      ['--set', 'model.baseWidth=16'],
      ['--set', 'ema.decay=0.5'],
      ['--batch', '4'],
      ['--seed', '7'],
      ['--name', 'renamed'],
    ]) {
      const r = await runCli(['train', '--resume', runDir, '--steps', '6', ...args], { env: ws.env });
      const key =
        args[0] === '--set'
          ? args[1].split('=')[0]
          : { '--batch': 'batchSize', '--seed': 'seed', '--name': 'name' }[args[0]];
      expect(r.code, describeResult(r)).not.toBe(0);
      expect(r.stderrLines).toEqual([
        `error: --resume cannot change ${key}; only steps, sampleEvery, checkpointEvery, keepCheckpoints, backend, threads, data.dir, metrics.enabled, metrics.every, metrics.samples, metrics.budget may change on resume.`,
      ]);
    }
    const r = await runCli(['train', '--resume', runDir, '--preset', 'dcgan-64'], { env: ws.env });
    expect(r.code).not.toBe(0);
    expect(r.stderrLines).toEqual([
      'error: --resume continues a run with its own options; --preset and --config cannot be combined with it (--data may name the same images in a new place).',
    ]);
    expect(await fs.readFile(path.join(runDir, 'config.json'), 'utf8')).toBe(configBefore);
    expect(await fs.readFile(path.join(runDir, 'stats.jsonl'), 'utf8')).toBe(statsBefore);
  });

  it('refuses a config.json edited to change the model (checkpoint config hash)', async () => {
    const copy = path.join(ws.dir, 'edited-run');
    await fs.cp(runDir, copy, { recursive: true });
    const config = await readJson<{ model: { baseWidth: number } }>(path.join(copy, 'config.json'));
    config.model.baseWidth = 16;
    await fs.writeFile(path.join(copy, 'config.json'), JSON.stringify(config));
    const r = await runCli(['train', '--resume', copy, '--steps', '6'], { env: ws.env });
    expect(r.code).not.toBe(0);
    const errors = r.stderrLines.filter((l) => l.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error: Checkpoint .*step-000004 was made with different model or training options than this config/,
    );
    expect(r.stderrLines[r.stderrLines.length - 1]).toBe(errors[0]);
    expect(stackLines(r.stderr)).toEqual([]);
  });

  it('continues from the newest checkpoint to step 6, and prunes to keepCheckpoints', async () => {
    const r = expectSuccess(
      await runCli(['train', '--resume', runDir, '--steps', '6', '--set', 'keepCheckpoints=2', '--backend', 'wasm'], {
        env: ws.env,
      }),
    );
    expect(r.stderrLines).toContain(`resuming from ${path.join(runDir, 'checkpoints', 'step-000004')}: ${runDir}`);
    expect(r.stderrLines.some((l) => l.startsWith('step 5/6 '))).toBe(true);
    expect(r.stderrLines[r.stderrLines.length - 1]).toBe(`finished at step 6: ${runDir}`);

    const stats = await readStats(runDir);
    expect(stats.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const s of stats) expect(Number.isFinite(s.lossD) && Number.isFinite(s.lossG)).toBe(true);

    // step 2 is pruned: the newest two of 2, 4, 6 are kept.
    expect(await checkpointNames(runDir)).toEqual(['step-000004', 'step-000006']);
    expect(await listFiles(path.join(runDir, 'checkpoints', 'step-000006'))).toEqual(CHECKPOINT_FILES);
    expect(await readJson(path.join(runDir, 'checkpoints/step-000006/state.json'))).toMatchObject({ step: 6 });
    expect(await fs.readdir(path.join(runDir, 'samples'))).toEqual([
      'step-000000.png',
      'step-000002.png',
      'step-000004.png',
      'step-000006.png',
    ]);
    expect(await readJson(path.join(runDir, 'status.json'))).toMatchObject({ status: 'finished', step: 6, steps: 6 });
    // config.json takes the run-control changes and keeps everything else.
    const config = await readJson(path.join(runDir, 'config.json'));
    expect(config).toMatchObject({ steps: 6, keepCheckpoints: 2, batchSize: 8, model: { baseWidth: 8 } });
  });

  it('drops stats lines past the checkpoint it resumes from, so steps stay unique', async () => {
    // A copy of the run whose newest checkpoint is lost: stats run to step 6, the checkpoint is step 4.
    const copy = path.join(ws.dir, 'lost-checkpoint');
    await fs.cp(runDir, copy, { recursive: true });
    await fs.rm(path.join(copy, 'checkpoints', 'step-000006'), { recursive: true });
    expect((await readStats(copy)).map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    const r = expectSuccess(await runCli(['train', '--resume', copy, '--steps', '7'], { env: ws.env }));
    expect(r.stderrLines).toContain(`resuming from ${path.join(copy, 'checkpoints', 'step-000004')}: ${copy}`);
    expect((await readStats(copy)).map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // keepCheckpoints is 2 in this run's config.json now: 4 goes once 6 is saved again.
    expect(await checkpointNames(copy)).toEqual(['step-000006', 'step-000007']);
  });

  it('a run with no checkpoint yet starts over from step 0, with a warning', async () => {
    const copy = path.join(ws.dir, 'no-checkpoint');
    await fs.cp(runDir, copy, { recursive: true });
    await fs.rm(path.join(copy, 'checkpoints'), { recursive: true });
    await fs.mkdir(path.join(copy, 'checkpoints'));
    const r = expectSuccess(
      await runCli(['train', '--resume', copy, '--steps', '2', '--checkpoint-every', '0'], { env: ws.env }),
    );
    expect(r.stderrLines).toContain('warning: This run has no checkpoint yet; it starts again from step 0.');
    expect(r.stderrLines).toContain(`run: ${copy}`);
    expect((await readStats(copy)).map((s) => s.step)).toEqual([1, 2]);
    expect(await checkpointNames(copy)).toEqual(['step-000002']);
    expect(await readJson(path.join(copy, 'status.json'))).toMatchObject({ status: 'finished', step: 2, steps: 2 });
  });

  it('resuming a finished run with no more steps is refused and leaves it as it was', async () => {
    const copy = path.join(ws.dir, 'finished-copy');
    await fs.cp(runDir, copy, { recursive: true });
    const r = await runCli(['train', '--resume', copy], { env: ws.env });
    expect(r.code).not.toBe(0);
    expect(r.stderrLines).toEqual([`error: Run ${copy} is already at step 6; pass --steps above 6 to train further.`]);
    expect((await readStats(copy)).map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await checkpointNames(copy)).toEqual(['step-000004', 'step-000006']);
  });
});
