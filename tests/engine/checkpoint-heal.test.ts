/**
 * Checkpoints that heal: a damaged newest checkpoint is skipped (with the
 * reason) in favour of the newest intact one; NaN/Inf weights are never
 * saved and never loaded; every file's checksum is verified on load; and a
 * checkpoint folder can be named directly.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/engine/config/resolve';
import { UserError } from '../../src/engine/errors';
import { loadGenerator } from '../../src/engine/generate';
import { manifestOf } from '../../src/engine/run/checkpoint-files';
import { NonFiniteCheckpointError, loadCheckpoint, saveCheckpoint } from '../../src/engine/run/checkpoint';
import { CheckpointDamagedError } from '../../src/engine/run/checkpoint-state';
import { listCheckpoints } from '../../src/engine/run/run-dir';
import { resumeRun, trainNewRun, type TrainEvent } from '../../src/engine/train/run-training';
import { GanSession } from '../../src/engine/train/session';
import { blobData, onBackend, sameWeights, snapshot } from '../helpers/tf';
import { tempDir } from '../helpers/temp';

beforeAll(() => onBackend('wasm'));

const config = parseConfig({
  name: 'heal',
  model: { arch: 'dcgan-conv', resolution: 16, channels: 3, latentDim: 8, baseWidth: 4 },
  batchSize: 4,
  gridSize: 2,
  seed: 3,
  steps: 4,
  sampleEvery: 0,
  checkpointEvery: 2,
  keepCheckpoints: 5,
});
const data = blobData(8, 16, 3);
const input = (extra: Partial<Parameters<typeof trainNewRun>[1]> = {}) => ({
  config,
  data,
  datasetKey: 'k',
  backend: 'wasm',
  ...extra,
});

/** A run with checkpoints at steps 2 and 4. */
async function twoCheckpointRun(): Promise<string> {
  return trainNewRun(await tempDir(), input());
}

const ck = (run: string, step: number) => path.join(run, 'checkpoints', `step-${String(step).padStart(6, '0')}`);

/** Rewrite state.json's manifest after editing files, as a consistent but bad checkpoint would have it. */
async function rehash(dir: string): Promise<void> {
  const state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8'));
  state.files = await manifestOf(dir, ['state.json']);
  await writeFile(path.join(dir, 'state.json'), JSON.stringify(state));
}

async function poisonFirstWeight(dir: string, model: string, value: number): Promise<void> {
  const file = path.join(dir, model, 'weights.bin');
  const bytes = await readFile(file);
  new DataView(bytes.buffer, bytes.byteOffset).setFloat32(0, value, true);
  await writeFile(file, bytes);
}

const damage: [string, (dir: string) => Promise<void>, RegExp][] = [
  [
    'truncated weights',
    (dir) => truncate(path.join(dir, 'g_ema', 'weights.bin'), 100),
    /g_ema\/weights\.bin is 100 bytes/,
  ],
  [
    'bad JSON in state.json',
    (dir) => writeFile(path.join(dir, 'state.json'), '{"step": 4, "form'),
    /cannot read state\.json/,
  ],
  ['missing g_ema', (dir) => rm(path.join(dir, 'g_ema'), { recursive: true }), /g_ema\/model\.json is missing/],
  [
    'a flipped byte (same size)',
    async (dir) => {
      const file = path.join(dir, 'g_ema', 'weights.bin');
      const bytes = await readFile(file);
      bytes[10] ^= 0xff;
      await writeFile(file, bytes);
    },
    /g_ema\/weights\.bin does not match its checksum/,
  ],
  [
    'NaN weights behind a consistent manifest',
    async (dir) => {
      await poisonFirstWeight(dir, 'g_ema', NaN);
      await rehash(dir);
    },
    /g_ema\/ weight .* holds NaN or Inf/,
  ],
];

describe('a damaged newest checkpoint', () => {
  for (const [what, breakIt, reason] of damage) {
    it(`${what}: generate falls back to the newest intact checkpoint and says why`, async () => {
      const run = await twoCheckpointRun();
      await breakIt(ck(run, 4));
      const gen = await loadGenerator(run);
      try {
        expect(gen.checkpointDir).toBe(ck(run, 2));
        expect(gen.state.step).toBe(2);
        expect(gen.skipped).toHaveLength(1);
        expect(gen.skipped[0].dir).toBe(ck(run, 4));
        expect(gen.skipped[0].reason).toMatch(reason);
      } finally {
        gen.model.dispose();
      }
    });
  }

  it('resume skips it, keeps it aside, and continues bit for bit from the intact one', async () => {
    const straight = await twoCheckpointRun();
    const run = await twoCheckpointRun();
    // D is damaged: generation would not notice, training must.
    await truncate(path.join(ck(run, 4), 'd', 'weights.bin'), 64);
    const events: TrainEvent[] = [];
    await resumeRun(run, input({ config: { ...config, steps: 4 }, onEvent: (e) => events.push(e) }));
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
    expect(warnings.some((m) => /skipped checkpoint step-000004: d\/weights\.bin is 64 bytes/.test(m))).toBe(true);
    expect(events.find((e) => e.type === 'start')).toMatchObject({ step: 2, resumedFrom: ck(run, 2) });
    // The damaged copy is kept for the user, out of the checkpoint list, and a fresh step 4 took its place.
    expect(await readdir(path.join(run, 'checkpoints', 'damaged'))).toEqual(['step-000004']);
    expect((await listCheckpoints(run)).map((c) => c.step)).toEqual([2, 4]);
    for (const model of ['g', 'd', 'g_ema']) {
      expect(
        Buffer.compare(
          await readFile(path.join(ck(run, 4), model, 'weights.bin')),
          await readFile(path.join(ck(straight, 4), model, 'weights.bin')),
        ),
        model,
      ).toBe(0);
    }
  });

  it('when every checkpoint is damaged, the error lists each with its reason', async () => {
    const run = await twoCheckpointRun();
    await truncate(path.join(ck(run, 4), 'g_ema', 'weights.bin'), 10);
    await writeFile(path.join(ck(run, 2), 'state.json'), 'nope');
    const err = await loadGenerator(run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /no intact checkpoint: step-000004: g_ema\/weights\.bin is 10 bytes.*; step-000002: cannot read state\.json/,
    );
  });
});

describe('a checkpoint folder named directly', () => {
  it('generate uses exactly that one', async () => {
    const run = await twoCheckpointRun();
    const gen = await loadGenerator(ck(run, 2));
    expect(gen.state.step).toBe(2);
    gen.model.dispose();
  });

  it('a damaged one is an error, not a fallback', async () => {
    const run = await twoCheckpointRun();
    await truncate(path.join(ck(run, 2), 'g_ema', 'weights.bin'), 0);
    await expect(loadGenerator(ck(run, 2))).rejects.toThrow(CheckpointDamagedError);
  });

  it('resume continues from it; newer checkpoints move to checkpoints/superseded/', async () => {
    const run = await twoCheckpointRun();
    const before = await readFile(path.join(ck(run, 4), 'g', 'weights.bin'));
    const events: TrainEvent[] = [];
    await resumeRun(ck(run, 2), input({ config: { ...config, steps: 3 }, onEvent: (e) => events.push(e) }));
    expect(events.find((e) => e.type === 'start')).toMatchObject({ step: 2, runDir: run });
    expect((await listCheckpoints(run)).map((c) => c.step)).toEqual([2, 3]);
    expect(
      Buffer.compare(
        await readFile(path.join(run, 'checkpoints', 'superseded', 'step-000004', 'g', 'weights.bin')),
        before,
      ),
    ).toBe(0);
  });
});

describe('finiteness', () => {
  it('a session with a NaN weight is not saved: no checkpoint, no temp folder', async () => {
    const run = await twoCheckpointRun();
    const parts = await loadCheckpoint(ck(run, 4), config);
    const session = new GanSession(config, data.count, parts);
    try {
      session.step = 6;
      const w = session.d.trainableWeights[0].read();
      const poisoned = tf.tidy(() => w.mul(NaN));
      session.d.trainableWeights[0].write(poisoned);
      poisoned.dispose();
      const err = await saveCheckpoint(run, session, { datasetKey: null, backend: 'wasm' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NonFiniteCheckpointError);
      expect((err as Error).message).toMatch(/step 6: weight .* of D holds NaN or Inf/);
      expect(await readdir(path.join(run, 'checkpoints'))).toEqual(['step-000002', 'step-000004']);
    } finally {
      session.dispose();
    }
  });

  it('Inf in the optimizer state is refused on load', async () => {
    const run = await twoCheckpointRun();
    const file = path.join(ck(run, 4), 'optimizer-g.bin');
    const bytes = await readFile(file);
    new DataView(bytes.buffer, bytes.byteOffset).setFloat32(4, Infinity, true);
    await writeFile(file, bytes);
    await rehash(ck(run, 4));
    await expect(loadCheckpoint(ck(run, 4), config)).rejects.toThrow(/optimizer state .* of G holds NaN or Inf/);
  });

  it('the loaded weights are the saved ones (the check does not alter them)', async () => {
    const run = await twoCheckpointRun();
    const parts = await loadCheckpoint(ck(run, 4), config);
    const session = new GanSession(config, data.count, parts);
    const fresh = await loadCheckpoint(ck(run, 4), config);
    try {
      expect(sameWeights(snapshot(session.g), snapshot(fresh.g))).toBe(true);
    } finally {
      session.dispose();
      for (const m of [fresh.g, fresh.d, fresh.gEma]) m?.dispose();
      for (const t of Object.values(fresh.optimizer!).flatMap((o) => Object.values(o.tensors))) t.dispose();
    }
  });
});

describe('checksums in the manifest', () => {
  it('state.json lists every other file of the checkpoint with its size and SHA-256', async () => {
    const run = await twoCheckpointRun();
    const state = JSON.parse(await readFile(path.join(ck(run, 4), 'state.json'), 'utf8'));
    expect(state.format).toBe(2);
    expect(Object.keys(state.files).sort()).toEqual([
      'd/model.json',
      'd/weights.bin',
      'g/model.json',
      'g/weights.bin',
      'g_ema/model.json',
      'g_ema/weights.bin',
      'optimizer-d.bin',
      'optimizer-g.bin',
      'optimizer.json',
    ]);
    const size = (await stat(path.join(ck(run, 4), 'g', 'weights.bin'))).size;
    expect(state.files['g/weights.bin'].bytes).toBe(size);
    expect(state.files['g/weights.bin'].sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
