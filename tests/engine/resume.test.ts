/**
 * Exact resume: 10 steps in one go must give the very same weights, optimizer
 * moments and curves as 5 steps, a stop, and 5 more from the checkpoint.
 */
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { listSampleSteps } from '../../src/engine/run/run-dir';
import { readStats } from '../../src/engine/run/stats-log';
import { resumeRun, trainNewRun, type TrainEvent } from '../../src/engine/train/run-training';
import type { TrainConfig } from '../../src/shared/config';
import { expectSameCheckpoint } from '../helpers/checkpoint';
import { blobData, onBackend } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));

const base = parseConfig({
  name: 'resume',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  seed: 11,
  steps: 10,
  sampleEvery: 0,
  checkpointEvery: 0,
  keepCheckpoints: 5,
  ema: { enabled: true, decay: 0.9, startStep: 2 },
  // The pause test times its steps; evaluations (tests/engine/metrics) would hold up step 0.
  metrics: { enabled: false },
});
// 6 images with batch 4: the data cursor crosses epoch ends, so the resumed shuffle must continue too.
const data = blobData(6, 16, 3);

async function train(config: TrainConfig, out: string): Promise<string> {
  return trainNewRun(out, { config, data, datasetKey: 'k', backend: 'wasm' });
}

describe('resume', () => {
  it('10 steps straight = 5 steps, stop, resume for 5: same weights, moments and stats', async () => {
    const out = await tempDir();
    const straight = await train(base, path.join(out, 'a'));
    const split = await train({ ...base, steps: 5 }, path.join(out, 'b'));
    const events: TrainEvent[] = [];
    await resumeRun(split, { config: base, data, datasetKey: 'k', backend: 'wasm', onEvent: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ type: 'start', step: 5, steps: 10 });

    await expectSameCheckpoint(split, straight, 10, ['optimizer-g.bin', 'optimizer-d.bin']);

    const a = await readStats(path.join(straight, 'stats.jsonl'));
    const b = await readStats(path.join(split, 'stats.jsonl'));
    expect(b.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const strip = ({ imgPerSec: _i, time: _t, ...rest }: (typeof a)[number]) => rest;
    expect(b.map(strip)).toEqual(a.map(strip));
  });

  it("with ema.bnStats=recompute too: G-EMA's recomputed statistics are the same bytes either way", async () => {
    const out = await tempDir();
    const config = { ...base, sampleEvery: 3, ema: { ...base.ema, bnStats: 'recompute' as const } };
    const straight = await train(config, path.join(out, 'a'));
    const split = await train({ ...config, steps: 5 }, path.join(out, 'b'));
    await resumeRun(split, { config, data, datasetKey: 'k', backend: 'wasm' });
    await expectSameCheckpoint(split, straight, 10, ['optimizer-g.bin', 'optimizer-d.bin']);
    // And they are G-EMA's own, not G's copied in.
    const weights = (run: string, net: string) =>
      readFile(path.join(run, 'checkpoints', 'step-000010', net, 'weights.bin'));
    const copied = await train({ ...base, sampleEvery: 3 }, path.join(out, 'c'));
    expect((await weights(straight, 'g_ema')).equals(await weights(copied, 'g_ema'))).toBe(false);
    expect((await weights(straight, 'g')).equals(await weights(copied, 'g'))).toBe(true);
  });

  it('refuses a folder that is not a run, a lone checkpoint outside its run too, and writes nothing', async () => {
    const out = await tempDir();
    const mine = path.join(out, 'my-photos');
    await mkdir(mine);
    await writeFile(path.join(mine, 'notes.txt'), 'mine');
    const input = { config: base, data, datasetKey: 'k', backend: 'wasm' as const };
    await expect(resumeRun(mine, input)).rejects.toThrow(`${mine} is not a run folder (it has no config.json).`);
    expect(await readdir(mine)).toEqual(['notes.txt']);
    // A checkpoint copied out of its run: the folder two levels up is not a run either.
    const run = await train({ ...base, steps: 2 }, path.join(out, 'runs'));
    const lone = path.join(mine, 'saved', 'step-000002');
    await cp(path.join(run, 'checkpoints', 'step-000002'), lone, { recursive: true });
    await expect(resumeRun(lone, input)).rejects.toThrow('is not a run folder');
    expect((await readdir(mine)).sort()).toEqual(['notes.txt', 'saved']);
  });

  it('drops stats lines written after the checkpoint it resumes from', async () => {
    const out = await tempDir();
    const run = await train({ ...base, steps: 3 }, out);
    // Lines from steps that were trained but never checkpointed (a kill between checkpoints).
    const statsFile = path.join(run, 'stats.jsonl');
    const extra = (await readStats(statsFile)).slice(-1).map((s) => JSON.stringify({ ...s, step: 4 }) + '\n');
    await (await import('node:fs/promises')).appendFile(statsFile, extra.join('') + '{"step": 5, "truncat');
    await resumeRun(run, { config: { ...base, steps: 5 }, data, datasetKey: 'k', backend: 'wasm' });
    expect((await readStats(statsFile)).map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops the sample grids of steps after the checkpoint it resumes from', async () => {
    const out = await tempDir();
    const run = await train({ ...base, steps: 6, sampleEvery: 2, checkpointEvery: 3 }, out);
    expect(await listSampleSteps(run)).toEqual([0, 2, 4, 6]);
    // A kill before step 6's checkpoint: the grid of step 6 shows a segment that is trained again.
    await rm(path.join(run, 'checkpoints', 'step-000006'), { recursive: true });
    await resumeRun(run, {
      config: { ...base, steps: 4, sampleEvery: 2, checkpointEvery: 3 },
      data,
      datasetKey: 'k',
      backend: 'wasm',
    });
    expect(await listSampleSteps(run)).toEqual([0, 2, 4]);
  });

  it('refuses a checkpoint made with other model options', async () => {
    const out = await tempDir();
    const run = await train({ ...base, steps: 2 }, out);
    const other = { ...base, model: { ...base.model, baseWidth: 8 } };
    await expect(resumeRun(run, { config: other, data, datasetKey: 'k', backend: 'wasm' })).rejects.toThrow(
      /different model or training options/,
    );
  });

  it('keeps the last K checkpoints and leaves no temp folders', async () => {
    const out = await tempDir();
    const run = await train({ ...base, steps: 6, checkpointEvery: 1, keepCheckpoints: 2 }, out);
    expect(await readdir(path.join(run, 'checkpoints'))).toEqual(['step-000005', 'step-000006']);
  });

  it('stops cleanly on abort, with a checkpoint at the step it reached', async () => {
    const out = await tempDir();
    const controller = new AbortController();
    let done: Extract<TrainEvent, { type: 'done' }> | undefined;
    const run = await trainNewRun(out, {
      config: { ...base, steps: 1000 },
      data,
      datasetKey: 'k',
      backend: 'wasm',
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'step' && e.stats.step === 3) controller.abort();
        if (e.type === 'done') done = e;
      },
    });
    expect(done).toMatchObject({ status: 'stopped', step: 3 });
    expect(await readdir(path.join(run, 'checkpoints'))).toEqual(['step-000003']);
    expect(JSON.parse(await readFile(path.join(run, 'status.json'), 'utf8'))).toMatchObject({
      status: 'stopped',
      step: 3,
    });
    expect(await readdir(path.join(run, 'samples'))).toEqual(['step-000000.png', 'step-000003.png']);
  });
});

describe('pause', () => {
  it('holds the loop between steps, keeps its place, and goes on when resumed', async () => {
    const { PauseGate } = await import('../../src/engine/train/pause-gate');
    const out = await tempDir();
    const gate = new PauseGate();
    const events: string[] = [];
    let runDir = '';
    const finished = trainNewRun(out, {
      config: { ...base, steps: 4 },
      data,
      datasetKey: 'k',
      backend: 'wasm',
      pause: gate,
      onEvent: (e) => {
        if (e.type === 'start') runDir = e.runDir;
        events.push(e.type === 'step' ? `step${e.stats.step}` : e.type);
        if (e.type === 'step' && e.stats.step === 2) gate.pause();
      },
    });
    // Wait for the pause however slow the machine is, then check that the
    // loop stays held: no step may follow 'paused' while the gate is shut.
    for (let waited = 0; !events.includes('paused') && waited < 60_000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(events.at(-1)).toBe('paused');
    expect(JSON.parse(await readFile(path.join(runDir, 'status.json'), 'utf8'))).toMatchObject({
      status: 'paused',
      step: 2,
    });
    gate.resume();
    await finished;
    expect(events.filter((e) => e.startsWith('step') || e === 'paused' || e === 'resumed')).toEqual([
      'step1',
      'step2',
      'paused',
      'resumed',
      'step3',
      'step4',
    ]);
  });

  it('a stop while paused ends the run with a checkpoint', async () => {
    const { PauseGate } = await import('../../src/engine/train/pause-gate');
    const gate = new PauseGate();
    const controller = new AbortController();
    gate.pause();
    const run = await trainNewRun(await tempDir(), {
      config: { ...base, steps: 4 },
      data,
      datasetKey: 'k',
      backend: 'wasm',
      pause: gate,
      signal: controller.signal,
      onEvent: (e) => e.type === 'paused' && controller.abort(),
    });
    expect(await readdir(path.join(run, 'checkpoints'))).toEqual(['step-000000']);
    expect(JSON.parse(await readFile(path.join(run, 'status.json'), 'utf8'))).toMatchObject({
      status: 'stopped',
      step: 0,
    });
  });
});
