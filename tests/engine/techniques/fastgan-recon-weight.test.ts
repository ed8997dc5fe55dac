/**
 * model.reconstructionWeight, the weight of fastgan D's self-supervised
 * reconstruction L1: validated up front with an error naming the option,
 * applied to the real loss (real tfjs steps), recorded in the run and its
 * checkpoints, and, like every maths option, refused as a change on resume.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/engine/config/resolve';
import { planRun } from '../../../src/engine/run/plan';
import { trainNewRun } from '../../../src/engine/train/run-training';
import { GanSession } from '../../../src/engine/train/session';
import { TrainConfigSchema } from '../../../src/shared/config';
import { blobData, onBackend } from '../../helpers/tf';
import { tempDir } from '../../helpers/temp';
import { TINY_FASTGAN } from '../../helpers/tiny-run';

beforeAll(() => onBackend('wasm'));

const SMALL = [
  ...TINY_FASTGAN,
  'batchSize=2',
  'augment.translation=false',
  'augment.cutout=false',
  'augment.color=false',
  'seed=5',
];

const issues = (input: object) => {
  const r = TrainConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('model.reconstructionWeight', () => {
  it('is checked up front, naming the option', () => {
    expect(issues({ model: { arch: 'fastgan', reconstructionWeight: 2.5 } })).toEqual([]);
    expect(issues({ model: { arch: 'fastgan', reconstructionWeight: 0 } })).toEqual([]);
    expect(issues({ model: { arch: 'dcgan-conv', reconstructionWeight: 2 } })).toEqual([
      expect.stringMatching(
        /^model\.reconstructionWeight: model\.reconstructionWeight weights fastgan's D reconstruction and applies to model\.arch=fastgan only \(this model is dcgan-conv\)/,
      ),
    ]);
    expect(issues({ model: { arch: 'fastgan', reconstructionWeight: -1 } })).toEqual([
      expect.stringMatching(/^model\.reconstructionWeight: /),
    ]);
    expect(TrainConfigSchema.parse({}).model.reconstructionWeight).toBe(1); // the paper's, and every run's before
  });

  it('scales the reconstruction term of loss D, and 0 turns it off', async () => {
    const data = blobData(4, 64, 3);
    const firstStep = async (weight: number) => {
      const config = await resolveConfig({ sets: [...SMALL, `model.reconstructionWeight=${weight}`] });
      const session = GanSession.create(config, data.count);
      try {
        return await session.trainStep(data);
      } finally {
        session.dispose();
      }
    };
    const [one, three, off] = [await firstStep(1), await firstStep(3), await firstStep(0)];
    expect(one.lossRecon!).toBeGreaterThan(0);
    // Same seed, same first D step: the same L1, weighted.
    expect(three.lossRecon!).toBeCloseTo(3 * one.lossRecon!, 4);
    expect(three.lossD - one.lossD).toBeCloseTo(2 * one.lossRecon!, 3);
    expect(off.lossRecon).toBe(0);
    expect(off.lossD).toBeCloseTo(one.lossD - one.lossRecon!, 3);
  });

  it('is recorded in the run and its checkpoint, and a resume cannot change it', async () => {
    const out = await tempDir('gan-recon-');
    const config = await resolveConfig({
      sets: [...SMALL, 'model.reconstructionWeight=2', 'steps=1', 'checkpointEvery=1'],
    });
    const runDir = await trainNewRun(out, { config, data: blobData(4, 64, 3), datasetKey: 'k', backend: 'wasm' });
    const saved = JSON.parse(await readFile(path.join(runDir, 'config.json'), 'utf8')) as {
      model: { reconstructionWeight: number };
    };
    expect(saved.model.reconstructionWeight).toBe(2);
    const state = JSON.parse(await readFile(path.join(runDir, 'checkpoints', 'step-000001', 'state.json'), 'utf8')) as {
      options: { model: { reconstructionWeight: number } };
    };
    expect(state.options.model.reconstructionWeight).toBe(2);
    await expect(planRun({ mode: 'resume', runDir, sets: ['model.reconstructionWeight=1'] })).rejects.toThrow(
      /^--resume cannot change model\.reconstructionWeight; only /,
    );
    const plan = await planRun({ mode: 'resume', runDir, sets: ['steps=2'] });
    expect(plan.config.model.reconstructionWeight).toBe(2);
  });
});
