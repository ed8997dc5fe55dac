/**
 * Training that recovers by itself. The divergence is real: LSGAN with plain
 * SGD at lr 1 and momentum 0.9 on a linear-output G blows up to NaN within a
 * few steps (measured: loss 1e12 at step 5, NaN after). The checkpoint of
 * step 4 is finite but already on its way out, so the first rollback (to 4,
 * rates halved) diverges again at once and the second goes further back (to
 * 2, rates quartered), from where training finishes. Resuming such a run
 * gives the same result bit for bit.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { UserError } from '../../src/engine/errors';
import { readEvents, readStats } from '../../src/engine/run/stats-log';
import { DivergenceWatch } from '../../src/engine/train/recovery';
import { resumeRun, trainNewRun, type TrainEvent } from '../../src/engine/train/run-training';
import type { StepStats } from '../../src/shared/stats';
import type { TrainConfig } from '../../src/shared/config';
import { readRunStats } from '../../src/studio/runs';
import { blobData, onBackend } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));

const exploding = parseConfig({
  name: 'boom',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  seed: 0,
  steps: 10,
  sampleEvery: 0,
  checkpointEvery: 2,
  keepCheckpoints: 10,
  loss: 'lsgan',
  g: { optimizer: 'sgd', lr: 1, momentum: 0.9, tanhOutput: false },
  d: { optimizer: 'sgd', lr: 1, momentum: 0.9, norm: 'none' },
});
const data = blobData(8, 16, 3);

async function train(config: TrainConfig, events: TrainEvent[] = []): Promise<string> {
  return trainNewRun(await tempDir(), {
    config,
    data,
    datasetKey: 'k',
    backend: 'wasm',
    onEvent: (e) => events.push(e),
  });
}

const ck = (run: string, step: number) => path.join(run, 'checkpoints', `step-${String(step).padStart(6, '0')}`);
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('a run that diverges', () => {
  it('rolls back to the last good checkpoint, lowers the learning rates, reseeds the noise and finishes', async () => {
    const events: TrainEvent[] = [];
    const run = await train(exploding, events);
    const rollbacks = (events.filter((e) => e.type === 'rollback') as Extract<TrainEvent, { type: 'rollback' }>[]).map(
      (e) => e.event,
    );
    expect(rollbacks).toHaveLength(2);
    expect(rollbacks[0]).toMatchObject({
      type: 'rollback',
      step: 4,
      fromStep: 5,
      checkpoint: ck(run, 4),
      rollback: 1,
      lrScale: 0.5,
    });
    expect(rollbacks[1]).toMatchObject({
      type: 'rollback',
      step: 2,
      fromStep: 5,
      checkpoint: ck(run, 2),
      rollback: 2,
      lrScale: 0.25,
    });
    for (const rb of rollbacks) expect(rb.reason).toMatch(/a loss is (NaN|infinite) at step 5/);
    const warnings = events.flatMap((e) => (e.type === 'warning' ? [e.message] : []));
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /at step 5: rolled back to the checkpoint of step 4, learning rates now ×0\.5, fresh noise \(rollback 1 of at most 3\)\.$/,
      ),
    );
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /rolled back to the checkpoint of step 2, learning rates now ×0\.25, fresh noise \(rollback 2 of at most 3\)\.$/,
      ),
    );

    // Each step once, all finite; the rollback is an event line of its own.
    const stats = await readStats(path.join(run, 'stats.jsonl'));
    expect(stats.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const s of stats) expect(Number.isFinite(s.lossD) && Number.isFinite(s.lossG), `step ${s.step}`).toBe(true);
    // The lines of the second rollback's truncation dropped the first event (it was at step 4 > 2): what stays is the rollback in force.
    expect(await readEvents(path.join(run, 'stats.jsonl'))).toEqual([rollbacks[1]]);

    // The lowered rate and the count live in the checkpoints, so a resume keeps them.
    expect(await readJson(path.join(ck(run, 10), 'state.json'))).toMatchObject({
      step: 10,
      lrScale: 0.25,
      rollbacks: 2,
    });
    expect(await readJson(path.join(run, 'status.json'))).toMatchObject({ status: 'finished', step: 10 });
  });

  it('the studio reader keeps steps and events apart', async () => {
    const run = await train(exploding);
    const { stats } = await readRunStats(run);
    expect(stats.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(stats.every((s) => typeof s.lossD === 'number')).toBe(true);
  });

  it('resuming gives the same run bit for bit, whether it stopped before or after the rollback', async () => {
    const straight = await train(exploding);
    const before = await train({ ...exploding, steps: 4 });
    await resumeRun(before, { config: exploding, data, datasetKey: 'k', backend: 'wasm' });
    const after = await train({ ...exploding, steps: 8 });
    await resumeRun(after, { config: exploding, data, datasetKey: 'k', backend: 'wasm' });
    const strip = ({ imgPerSec: _i, time: _t, ...rest }: StepStats) => rest;
    const want = (await readStats(path.join(straight, 'stats.jsonl'))).map(strip);
    for (const run of [before, after]) {
      for (const model of ['g', 'd', 'g_ema']) {
        const a = await readFile(path.join(ck(run, 10), model, 'weights.bin'));
        const b = await readFile(path.join(ck(straight, 10), model, 'weights.bin'));
        expect(Buffer.compare(a, b), `${path.basename(run)} ${model}`).toBe(0);
      }
      expect((await readStats(path.join(run, 'stats.jsonl'))).map(strip)).toEqual(want);
      expect((await readEvents(path.join(run, 'stats.jsonl'))).map(({ time: _t, checkpoint: _c, ...e }) => e)).toEqual(
        (await readEvents(path.join(straight, 'stats.jsonl'))).map(({ time: _t, checkpoint: _c, ...e }) => e),
      );
    }
  });

  it('gives up after recovery.maxRollbacks and stops as failed with one line saying what to try', async () => {
    const events: TrainEvent[] = [];
    const hopeless = { ...exploding, recovery: { ...exploding.recovery, lrFactor: 1, maxRollbacks: 2 } };
    const out = await tempDir();
    const err = await trainNewRun(out, {
      config: hopeless,
      data,
      datasetKey: 'k',
      backend: 'wasm',
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).toMatch(
      /^Training diverged: .* and did not recover after 2 rollbacks \(learning rates now ×1\)\. The last good checkpoint is kept\. Try lower learning rates/,
    );
    expect(message).not.toContain('\n');
    expect(events.filter((e) => e.type === 'rollback')).toHaveLength(2);
    const run = (events.find((e) => e.type === 'start') as { runDir: string }).runDir;
    expect(await readJson(path.join(run, 'status.json'))).toMatchObject({ status: 'failed', error: message });
    // The second rollback went back to step 2, so the first one's line (step 4) went with the steps it dropped.
    expect((await readEvents(path.join(run, 'stats.jsonl'))).map((e) => e.rollback)).toEqual([2]);
  });

  it('with recovery.enabled off, stops at the first NaN', async () => {
    const events: TrainEvent[] = [];
    const off = { ...exploding, recovery: { ...exploding.recovery, enabled: false } };
    const err = await train(off, events).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^Training diverged: .* \(recovery\.enabled is off\)\./);
    expect(events.filter((e) => e.type === 'rollback')).toHaveLength(0);
  });
});

describe('the divergence watch', () => {
  const step = (n: number, norm: number, loss = 0.5): StepStats => ({
    step: n,
    lossD: loss,
    lossG: loss,
    dReal: 0.5,
    dFake: 0.5,
    gradNormD: norm,
    gradNormG: 1,
    imgPerSec: 1,
    time: 0,
  });
  const recovery = parseConfig({ recovery: { gradNormLimit: 100, gradNormSteps: 3 } }).recovery;

  it('needs gradNormSteps exploding steps in a row; one spike is not divergence', () => {
    const watch = new DivergenceWatch(recovery);
    expect([500, 500, 1, 500, 500].map((n, i) => watch.check(step(i + 1, n)))).toEqual([null, null, null, null, null]);
    expect(watch.check(step(6, 500))).toMatch(/gradient norm stayed above 100 for 3 steps \(500 at step 6\)/);
  });

  it('counts on from a resumed streak', () => {
    const watch = new DivergenceWatch(recovery, 2);
    expect(watch.check(step(1, 500))).not.toBeNull();
  });

  it('a NaN or infinite loss is divergence at once', () => {
    expect(new DivergenceWatch(recovery).check(step(1, 1, NaN))).toMatch(/a loss is NaN at step 1/);
    expect(new DivergenceWatch(recovery).check(step(1, 1, Infinity))).toMatch(/a loss is infinite at step 1/);
    expect(new DivergenceWatch(recovery).check(step(1, Infinity))).toMatch(/gradient norm is NaN or infinite/);
  });
});
