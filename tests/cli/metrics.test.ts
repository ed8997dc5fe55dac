/** `gan-studio metrics` and the metrics lines of `gan-studio train`, in real child processes. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY, cliTempDir, expectSuccess, pngInfo, readJson, runCli, trainRun, type CliResult } from '../helpers/cli';

const ws = cliTempDir('gan-cli-metrics-');
let runDir: string;
let train: CliResult;

beforeAll(async () => {
  const r = await trainRun(
    path.join(ws.dir, 'runs'),
    [
      '--steps',
      '2',
      '--batch',
      '8',
      '--sample-every',
      '0',
      ...TINY,
      '--set',
      'metrics.enabled=true',
      '--set',
      'metrics.samples=32',
    ],
    { env: ws.env },
  );
  runDir = r.runDir;
  train = r.result;
}, 600_000);

describe('metrics', () => {
  it('train prints one metrics line at step 0 and one at the end, against the held-out images', () => {
    const lines = train.stderrLines.filter((l) => l.startsWith('metrics'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^metrics step 0: SWD \d+\.\d \(28px \d+\.\d, 14px \d+\.\d, 7px \d+\.\d\) {2}KID -?\d+\.\d\d {2}diversity \d\.\d\d {2}copying \d+%( \(high\))? {2}\(32 samples vs 300 held-out images, \d+\.\d s\)$/,
    );
    expect(lines[1]).toMatch(/^metrics step 2: /);
  });

  it('--checkpoint --json prints the scores of the checkpoint on stdout', async () => {
    const r = expectSuccess(
      await runCli(['metrics', '--checkpoint', runDir, '--count', '32', '--json', '--backend', 'wasm'], {
        env: ws.env,
      }),
    );
    const m = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(m).toMatchObject({ step: 2, samples: 32, reals: 300, heldout: true, swdSizes: [28, 14, 7] });
    for (const k of ['swd', 'kid', 'diversity', 'seconds']) expect(Number.isFinite(m[k])).toBe(true);
    // The copying score is the live one: the same engine function on the same samples of the same generator.
    const lines = (await fs.readFile(path.join(runDir, 'metrics.jsonl'), 'utf8')).trim().split('\n');
    const live = JSON.parse(lines[lines.length - 1]) as { step: number; copying: number };
    expect(live.step).toBe(2);
    expect(typeof live.copying).toBe('number');
    expect(m.copying).toBe(live.copying);
  }, 300_000);

  it('a missing checkpoint or a bad --count is one error line', async () => {
    const r = await runCli(['metrics', '--checkpoint', path.join(ws.dir, 'nope')], { env: ws.env });
    expect(r.code).toBe(1);
    expect(r.stderrLines).toEqual([`error: Checkpoint not found: ${path.join(ws.dir, 'nope')} is not a folder.`]);
    const bad = await runCli(['metrics', '--checkpoint', runDir, '--count', '2'], { env: ws.env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--count needs a whole number ≥ 16/);
  });
});

describe('nearest', () => {
  it('writes one strip per sample (sample + k nearest in features, then in pixels) and nearest.json with distances and the copying score', async () => {
    const out = path.join(ws.dir, 'nearest');
    const r = expectSuccess(
      await runCli(['nearest', '--checkpoint', runDir, '--count', '3', '--k', '2', '--out', out, '--backend', 'wasm'], {
        env: ws.env,
      }),
    );
    expect((await fs.readdir(out)).sort()).toEqual([
      'nearest-0000.png',
      'nearest-0001.png',
      'nearest-0002.png',
      'nearest.json',
    ]);
    // 3 columns (sample + 2) × 2 rows of 28-px images shown at 2×, with 2-pixel gaps.
    expect(await pngInfo(path.join(out, 'nearest-0000.png'))).toEqual({
      width: (3 * 28 + 4 * 2) * 2,
      height: (2 * 28 + 3 * 2) * 2,
      channels: 1,
    });
    const report = await readJson<{
      k: number;
      step: number;
      samples: { features: { index: number; distance: number }[]; pixels: { distance: number }[] }[];
      copying: { score: number; heldout: number };
    }>(path.join(out, 'nearest.json'));
    expect(report).toMatchObject({ k: 2, step: 2 });
    expect(report.copying.heldout).toBe(300);
    expect(report.copying.score).toBeGreaterThanOrEqual(0);
    expect(report.copying.score).toBeLessThanOrEqual(1);
    const held = new Set((await readJson<{ heldout: number[] }>(path.join(runDir, 'heldout.json'))).heldout);
    for (const s of report.samples) {
      expect(s.features).toHaveLength(2);
      expect(s.features[0].distance).toBeLessThanOrEqual(s.features[1].distance);
      expect(s.pixels[0].distance).toBeLessThanOrEqual(s.pixels[1].distance);
      // Neighbours come from the training images only.
      expect(s.features.some((n) => held.has(n.index))).toBe(false);
    }
    expect(r.stderrLines.some((l) => /copying score \d+%/.test(l))).toBe(true);
    // The training images' features came from the cache the run's live metrics wrote (one file per data set and seed).
    expect((await fs.readdir(path.join(ws.dir, 'cache', 'features'))).filter((n) => n.endsWith('.gsft'))).toHaveLength(
      1,
    );
  }, 300_000);
});
