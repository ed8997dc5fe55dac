/**
 * CPU seconds per training step of several small-data recipes on the tuxpaint split of
 * bench/small-data-recipes.ts, the recipes taking turns step by step (so that all see the
 * same load), after one warm-up step each: to turn a variant that changes the step's cost
 * (batch size, penalty interval) into the step count that spends the same CPU as another.
 *
 *   npx tsx bench/recipe-step-cost.ts [--recipes small-dataset,rpgan,rpgan@batchSize=16] [--steps 16]
 *
 * `--steps` should be a multiple of every recipe's lazy-penalty period (4 or 16 here): a
 * penalised D update costs about 1.5× a plain one. Prints each recipe's mean and its ratio to
 * the first recipe's, and the steps that spend the first recipe's CPU at `--base-steps` (445).
 */
import { activateBackend } from '../src/engine/backend/select';
import { resolveConfig } from '../src/engine/config/resolve';
import { importDataset } from '../src/engine/dataset';
import { subsetData, trainingIndices } from '../src/engine/metrics/holdout';
import { GanSession } from '../src/engine/train/session';
import { arg } from './args';
import { cpuTime, folderOf, pngsUnder, spreadEvenly, stampImportOptions, stampSplit, STAMPS } from './stamps';

const recipes = arg('recipes', 'small-dataset,rpgan,rpgan@batchSize=16')!.split(',');
const steps = Number(arg('steps', '16'));
const baseSteps = Number(arg('base-steps', '445'));

await activateBackend('wasm', { threads: 1 });
// The same 400 stamps and 80/20 split as bench/small-data-recipes.ts.
const all = await pngsUnder(STAMPS);
const picked = spreadEvenly(all, Math.min(400, all.length));
const ds = await importDataset(await folderOf('gan-bench-step-cost', picked), stampImportOptions);
const data = subsetData(ds, trainingIndices(stampSplit(ds.count)));
const entries: { recipe: string; session: GanSession; cpu: number[] }[] = [];
for (const recipe of recipes) {
  const [preset, ...sets] = recipe.split('@');
  const config = await resolveConfig({
    preset,
    sets: ['model.resolution=64', 'model.channels=3', 'seed=1', 'metrics.enabled=false', ...sets],
  });
  entries.push({ recipe, session: GanSession.create(config, data.count, data), cpu: [] });
}
for (const e of entries) await e.session.trainStep(data); // warm-up
for (let k = 0; k < steps; k++)
  for (const e of entries) {
    const c0 = cpuTime();
    await e.session.trainStep(data);
    e.cpu.push(cpuTime() - c0);
  }
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
const base = mean(entries[0].cpu);
for (const e of entries) {
  const m = mean(e.cpu);
  process.stdout.write(
    `${e.recipe}: ${m.toFixed(3)} CPU-s/step over ${steps} steps, ${(m / base).toFixed(2)}× ${entries[0].recipe}; ` +
      `${Math.round((baseSteps * base) / m)} steps = ${baseSteps} of ${entries[0].recipe}\n`,
  );
  e.session.dispose();
}
