/**
 * The goal measurement of the small-data recipes: real colour clip-art with
 * alpha (Debian's tuxpaint stamps), a few hundred images at 64 px padded onto
 * white, a fixed held-out split, each recipe trained for the same budget, then
 * scored with the project's own multi-scale SWD (and KID, diversity) of 256
 * EMA samples against the held-out images.
 *
 *   npx tsx bench/small-data-recipes.ts [--recipes small-dataset,fastgan,rpgan] [--images 400]
 *       [--cpu-seconds 180 | --seconds 180 | --steps 100] [--calibrate 3] [--init-from]
 *       [--pretrain-cpu-seconds 180] [--threads 1] [--backend wasm] [--set key=value …] [--raw] [--json]
 *
 * Budgets (one of):
 * - `--cpu-seconds N` (fair on a loaded machine): each recipe's CPU time per
 *   step is calibrated over `--calibrate` steps (after one warm-up step), the
 *   recipes taking turns step by step so that all see the same load; each
 *   recipe then trains round(N / its CPU seconds per step) steps in all. With
 *   one compute thread (`--threads 1`, the default) a step's CPU time is what
 *   its wall time would be on a quiet machine, so N is "N seconds of
 *   quiet-machine time" per recipe, whatever the load while it runs.
 * - `--seconds N`: N wall-clock seconds each (only fair on a quiet machine).
 * - `--steps N`: N steps each (to repeat a table's step counts).
 *
 * `--init-from` adds the fine-tuning row: `small-dataset` first trained on the
 * stamps that are in neither the training nor the held-out split (another
 * set of the same kind; `--pretrain-cpu-seconds`, default the recipe budget),
 * then fine-tuned on the training split for the same number of steps as
 * `small-dataset` from scratch (its G, D and G-EMA carried over, as
 * `train --init-from` does).
 *
 * A recipe may carry options of its own: `--recipes small-dataset,rpgan,rpgan@g.lr=4e-4`
 * trains the preset and a variant of it in one run.
 *
 * `--eval-every N` also scores every N steps during training (stderr only; not
 * counted in the budget): the curve, to see whether a recipe is still improving.
 *
 * `--raw` adds a row per recipe for its raw G (the weights being trained) next
 * to the EMA G that the table scores: how much the EMA gives or costs.
 *
 * Prints one row per recipe: steps, CPU seconds per step, SWD, its ratio to
 * small-dataset's (the goal: ≤ 0.8), KID and diversity, and the load average.
 */
import { copyFile, mkdtemp, readdir } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { activateBackend } from '../src/engine/backend/select';
import { resolveConfig } from '../src/engine/config/resolve';
import { importDataset } from '../src/engine/dataset';
import { metricsReference, compareWithReference } from '../src/engine/metrics/compare';
import { chooseHoldout, imagesOf, subsetData, trainingIndices } from '../src/engine/metrics/holdout';
import { sampleForMetrics } from '../src/engine/metrics/live';
import { initSessionFrom } from '../src/engine/train/init-from';
import { GanSession, type TrainingData } from '../src/engine/train/session';
import { arg } from './args';

function numberArg(name: string, fallback: number | null, min: number): number | null {
  const text = arg(name, fallback === null ? null : String(fallback));
  if (text === null) return null;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) {
    process.stderr.write(`error: --${name} must be a number of at least ${min}, got "${text}"\n`);
    process.exit(2);
  }
  return n;
}

const STAMPS = '/usr/share/tuxpaint/stamps';
const RESOLUTION = 64;
const recipes = arg('recipes', 'small-dataset,fastgan,rpgan')!.split(',');
const wanted = numberArg('images', 400, 50)!;
const wallSeconds = numberArg('seconds', null, 1);
const fixedSteps = numberArg('steps', null, 1);
const cpuSeconds = numberArg('cpu-seconds', wallSeconds === null && fixedSteps === null ? 180 : null, 1);
const calibrateSteps = numberArg('calibrate', 3, 1)!;
const withInit = process.argv.includes('--init-from');
const withRaw = process.argv.includes('--raw');
const evalEvery = numberArg('eval-every', null, 1);
const pretrainCpuSeconds = numberArg('pretrain-cpu-seconds', cpuSeconds ?? 180, 1)!;
const threads = numberArg('threads', 1, 1)!;
const backendName = arg('backend', 'wasm') as 'wasm';
/** `--set key=value` (repeatable): options on top of every recipe, e.g. to measure one change against the table. */
const extraSets = process.argv.flatMap((a, i) =>
  a === '--set' && i + 1 < process.argv.length ? [process.argv[i + 1]] : [],
);
if ([wallSeconds, fixedSteps, cpuSeconds].filter((b) => b !== null).length !== 1) {
  process.stderr.write('error: give one budget: --cpu-seconds N, --seconds N or --steps N\n');
  process.exit(2);
}
if (withInit && !recipes.includes('small-dataset')) {
  process.stderr.write('error: --init-from compares with small-dataset from scratch: add it to --recipes\n');
  process.exit(2);
}

async function pngsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await pngsUnder(p)));
    else if (e.name.endsWith('.png') && !e.name.includes('_mirror') && !e.name.includes('thumb')) out.push(p);
  }
  return out.sort();
}

/** Folders made by this process, removed at exit. */
const madeFolders: string[] = [];
process.on('exit', () => {
  for (const dir of madeFolders) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh flat folder holding `files` (no class subfolders: unconditional), private to
 * this process: runs side by side (one recipe each) must not share one and rebuild it
 * under each other's feet.
 */
async function folderOf(name: string, files: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `${name}-`));
  madeFolders.push(dir);
  for (let k = 0; k < files.length; k++) await copyFile(files[k], path.join(dir, `${String(k).padStart(4, '0')}.png`));
  return dir;
}

const importOptions = {
  resolution: RESOLUTION,
  channels: 3 as const,
  resize: 'pad' as const,
  background: '#ffffff',
  minSize: 8,
};

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** One recipe in training: its session, the CPU seconds of its calibration steps and of all its steps. */
interface Entry {
  name: string;
  preset: string;
  data: TrainingData;
  session: GanSession;
  calibration: number[];
  cpu: number;
  wall: number;
  target: number;
}

/**
 * A recipe is a preset name, optionally with options of its own after `@`
 * (`rpgan@g.lr=4e-4@d.lr=4e-4`): a variant measured in the same run, beside
 * the preset as it is. `--set` applies to every recipe, before a variant's own.
 */
function presetAndSets(recipe: string): { preset: string; sets: string[] } {
  const [preset, ...sets] = recipe.split('@');
  return { preset, sets };
}

async function newSession(recipe: string, data: TrainingData): Promise<GanSession> {
  const { preset, sets } = presetAndSets(recipe);
  const config = await resolveConfig({
    preset,
    sets: [
      `model.resolution=${RESOLUTION}`,
      'model.channels=3',
      'seed=1',
      'metrics.enabled=false',
      ...extraSets,
      ...sets,
    ],
  });
  return GanSession.create(config, data.count, data);
}

async function step(e: Entry): Promise<number> {
  const c0 = cpuNow();
  const t0 = performance.now();
  await e.session.trainStep(e.data);
  const used = cpuNow() - c0;
  e.cpu += used;
  e.wall += (performance.now() - t0) / 1000;
  return used;
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

/** The steps each entry trains under the budget; calibrates (all entries taking turns) when the budget is CPU time. */
async function planSteps(entries: Entry[], budget: number | null): Promise<void> {
  if (budget === null) return;
  for (const e of entries) await step(e); // warm-up: kernels compiled, buffers allocated
  for (let k = 0; k < calibrateSteps; k++) for (const e of entries) e.calibration.push(await step(e));
  for (const e of entries) e.target = Math.max(e.session.step, Math.round(budget / median(e.calibration)));
}

/** SWD (and per-level SWD) of `model`'s metrics samples against the held-out reals. */
async function score(e: Entry, model: typeof e.session.g) {
  return compareWithReference(reference, await sampleForMetrics(model, e.session.config, 256));
}

/** --eval-every: one stderr line with the EMA's (and with --raw the raw G's) SWD at this step. */
async function curvePoint(e: Entry): Promise<void> {
  if (evalEvery === null || e.session.step % evalEvery !== 0) return;
  const m = await score(e, e.session.sampleGenerator);
  const raw = withRaw && e.session.sampleGenerator !== e.session.g ? await score(e, e.session.g) : null;
  process.stderr.write(
    `  ${e.name} step ${e.session.step}: SWD ${m.swd.toFixed(1)} [${m.swdLevels.map((v) => v.toFixed(0)).join(' ')}] div ${m.diversity.toFixed(2)}` +
      (raw
        ? `; raw G ${raw.swd.toFixed(1)} [${raw.swdLevels.map((v) => v.toFixed(0)).join(' ')}] div ${raw.diversity.toFixed(2)}`
        : '') +
      '\n',
  );
}

async function train(e: Entry): Promise<void> {
  if (wallSeconds !== null) {
    const started = performance.now();
    while ((performance.now() - started) / 1000 < wallSeconds) {
      await step(e);
      await curvePoint(e);
    }
    return;
  }
  while (e.session.step < e.target) {
    await step(e);
    await curvePoint(e);
  }
}

const wallStarted = performance.now();
const backend = await activateBackend(backendName, { threads });
const all = await pngsUnder(STAMPS);
if (all.length < 50)
  throw new Error(`found only ${all.length} PNG stamps under ${STAMPS} (apt-get install tuxpaint-stamps-default)`);
const n = Math.min(wanted, all.length);
const picked = Array.from({ length: n }, (_, k) => all[Math.floor((k * all.length) / n)]);
const ds = await importDataset(await folderOf(`gan-bench-stamps-${n}`, picked), importOptions);
// A fixed split, 20% held out: enough unseen images for SWD on a few hundred.
const split = chooseHoldout(ds.count, 0.2, 2000, 1);
const trainSet = subsetData(ds, trainingIndices(split));
const reference = await metricsReference(imagesOf(ds, split.heldout, RESOLUTION, 3));
const budgetText =
  cpuSeconds !== null
    ? `${cpuSeconds} CPU-s per recipe (steps calibrated over ${calibrateSteps})`
    : wallSeconds !== null
      ? `${wallSeconds} wall-clock s per recipe`
      : `${fixedSteps} steps per recipe`;
process.stderr.write(
  `backend ${backend.name}, ${threads} thread(s); ${ds.count} stamps (${trainSet.count} train, ${split.heldout.length} held out); ${budgetText}; load ${loadavg()[0].toFixed(1)}\n`,
);

const entries: Entry[] = [];
/** A fresh tally per entry: a shared `calibration` array would give every recipe the same step count. */
const blank = () => ({ calibration: [] as number[], cpu: 0, wall: 0, target: fixedSteps ?? 0 });
for (const recipe of recipes)
  entries.push({
    name: recipe,
    preset: presetAndSets(recipe).preset,
    data: trainSet,
    session: await newSession(recipe, trainSet),
    ...blank(),
  });

let pretrainNote = '';
if (withInit) {
  // The stamps in neither split: a disjoint set of the same kind to pretrain on.
  const others = all.filter((f) => !picked.includes(f));
  const pre = await importDataset(await folderOf(`gan-bench-stamps-other-${others.length}`, others), importOptions);
  const source: Entry = {
    name: 'pretrain',
    preset: 'small-dataset',
    data: pre,
    session: await newSession('small-dataset', pre),
    ...blank(),
  };
  await planSteps([source], fixedSteps === null ? pretrainCpuSeconds : null);
  if (fixedSteps !== null) source.target = fixedSteps;
  await train(source);
  const s = source.session;
  const tuned = await newSession('small-dataset', trainSet);
  initSessionFrom(tuned, {
    dir: `pretraining on ${pre.count} other stamps`,
    step: s.step,
    g: s.g,
    d: s.d,
    gEma: s.gEma,
  });
  pretrainNote = `pretrained ${s.step} steps (${source.cpu.toFixed(0)} CPU-s) on ${pre.count} other stamps`;
  process.stderr.write(`${pretrainNote}\n`);
  s.dispose();
  entries.push({ name: 'small-dataset ← init', preset: 'small-dataset', data: trainSet, session: tuned, ...blank() });
}

// The fine-tuned row is small-dataset itself (same step cost): it gets the steps small-dataset reaches.
const calibrated = entries.filter((e) => e.name !== 'small-dataset ← init');
await planSteps(calibrated, cpuSeconds);
const scratch = entries.find((e) => e.name === 'small-dataset')!;
const tunedEntry = entries.find((e) => e.name === 'small-dataset ← init');

const rows: {
  recipe: string;
  steps: number;
  cpuPerStep: number;
  cpuSeconds: number;
  wallSeconds: number;
  swd: number;
  kid: number;
  diversity: number;
  load: number;
}[] = [];
for (const e of entries) {
  try {
    if (e === tunedEntry) {
      // As many steps as small-dataset from scratch reached (trained before it: it comes first in entries).
      e.target = scratch.session.step;
      while (e.session.step < e.target) await step(e);
    } else await train(e);
    const m = await score(e, e.session.sampleGenerator);
    rows.push({
      recipe: e.name,
      steps: e.session.step,
      cpuPerStep: e.cpu / e.session.step,
      cpuSeconds: e.cpu,
      wallSeconds: e.wall,
      swd: m.swd,
      kid: m.kid,
      diversity: m.diversity,
      load: loadavg()[0],
    });
    process.stderr.write(
      `${e.name}: ${e.session.step} steps, ${e.cpu.toFixed(0)} CPU-s in ${e.wall.toFixed(0)} s, SWD ${m.swd.toFixed(1)} [${m.swdLevels.map((v) => v.toFixed(0)).join(' ')}]\n`,
    );
    if (withRaw && e.session.sampleGenerator !== e.session.g) {
      const raw = await score(e, e.session.g);
      rows.push({
        ...rows[rows.length - 1],
        recipe: `${e.name} (raw G)`,
        swd: raw.swd,
        kid: raw.kid,
        diversity: raw.diversity,
      });
      process.stderr.write(`${e.name} (raw G): SWD ${raw.swd.toFixed(1)}\n`);
    }
  } finally {
    e.session.dispose();
  }
}

const totalSeconds = (performance.now() - wallStarted) / 1000;
const base = rows.find((r) => r.recipe === 'small-dataset');
if (process.argv.includes('--json'))
  process.stdout.write(
    JSON.stringify({
      budget: { cpuSeconds, wallSeconds, steps: fixedSteps, calibrateSteps, threads },
      images: ds.count,
      heldout: split.heldout.length,
      pretrain: pretrainNote || null,
      totalSeconds,
      rows,
    }) + '\n',
  );
else {
  process.stdout.write(`${budgetText}; ${threads} thread(s); total ${totalSeconds.toFixed(0)} s\n`);
  if (pretrainNote) process.stdout.write(`small-dataset ← init: ${pretrainNote}, then fine-tuned\n`);
  process.stdout.write(
    `recipe               | steps | CPU-s/step | SWD     | ÷ small-dataset | KID      | diversity | load\n`,
  );
  for (const r of rows) {
    const ratio = base ? (r.swd / base.swd).toFixed(2) : '-';
    process.stdout.write(
      `${r.recipe.padEnd(20)} | ${String(r.steps).padStart(5)} | ${r.cpuPerStep.toFixed(2).padStart(10)} | ${r.swd.toFixed(1).padStart(7)} | ${ratio.padStart(15)} | ${r.kid.toFixed(1).padStart(8)} | ${r.diversity.toFixed(2).padStart(9)} | ${r.load.toFixed(1)}\n`,
    );
  }
}
