/**
 * The goal measurement of the small-data recipes: real colour clip-art with
 * alpha (Debian's tuxpaint stamps), a few hundred images at 64 px padded onto
 * white, a fixed held-out split, each recipe trained for the same wall-clock
 * budget, then scored with the project's own multi-scale SWD (and KID,
 * diversity) of 256 EMA samples against the held-out images.
 *
 *   npx tsx bench/small-data-recipes.ts [--seconds 180] [--images 400] [--recipes small-dataset,rpgan] [--backend wasm] [--json]
 *
 * Prints one row per recipe: steps reached in the budget, SWD, its ratio to
 * small-dataset's (the goal: ≤ 0.8), KID and diversity. The machine's load
 * average is printed too: on a shared machine the steps reached vary with it.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { activateBackend } from '../src/engine/backend/select';
import { resolveConfig } from '../src/engine/config/resolve';
import { importDataset } from '../src/engine/dataset';
import { metricsReference, compareWithReference } from '../src/engine/metrics/compare';
import { chooseHoldout, imagesOf, subsetData, trainingIndices } from '../src/engine/metrics/holdout';
import { sampleForMetrics } from '../src/engine/metrics/live';
import { GanSession } from '../src/engine/train/session';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const STAMPS = '/usr/share/tuxpaint/stamps';
const seconds = Number(arg('seconds', '180'));
const wanted = Number(arg('images', '400'));
const recipes = arg('recipes', 'small-dataset,rpgan').split(',');
const backendName = arg('backend', 'wasm') as 'wasm';

async function pngsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await pngsUnder(p)));
    else if (e.name.endsWith('.png') && !e.name.includes('_mirror') && !e.name.includes('thumb')) out.push(p);
  }
  return out.sort();
}

/** A flat folder of `wanted` stamps, picked evenly from the sorted list (no class subfolders: unconditional). */
async function makeFolder(): Promise<string> {
  const all = await pngsUnder(STAMPS);
  if (all.length < 50)
    throw new Error(`found only ${all.length} PNG stamps under ${STAMPS} (apt-get install tuxpaint-stamps-default)`);
  const n = Math.min(wanted, all.length);
  const dir = path.join(tmpdir(), `gan-bench-stamps-${n}`);
  await mkdir(dir, { recursive: true });
  for (let k = 0; k < n; k++) {
    const src = all[Math.floor((k * all.length) / n)];
    await copyFile(src, path.join(dir, `${String(k).padStart(4, '0')}.png`));
  }
  return dir;
}

const backend = await activateBackend(backendName);
const folder = await makeFolder();
const ds = await importDataset(folder, {
  resolution: 64,
  channels: 3,
  resize: 'pad',
  background: '#ffffff',
  minSize: 8,
});
// A fixed split, 20% held out: enough unseen images for SWD on a few hundred.
const split = chooseHoldout(ds.count, 0.2, 2000, 1);
const train = subsetData(ds, trainingIndices(split));
const reference = await metricsReference(imagesOf(ds, split.heldout, 64, 3));
process.stderr.write(
  `backend ${backend.name}; ${ds.count} stamps (${train.count} train, ${split.heldout.length} held out); ${seconds} s per recipe; load ${loadavg()[0].toFixed(1)}\n`,
);

const rows: {
  recipe: string;
  steps: number;
  seconds: number;
  swd: number;
  kid: number;
  diversity: number;
  load: number;
}[] = [];
for (const recipe of recipes) {
  const config = await resolveConfig({
    preset: recipe,
    sets: ['model.resolution=64', 'model.channels=3', 'seed=1', 'metrics.enabled=false'],
  });
  const session = GanSession.create(config, train.count, train);
  const started = performance.now();
  try {
    while ((performance.now() - started) / 1000 < seconds) await session.trainStep(train);
    const elapsed = (performance.now() - started) / 1000;
    const samples = await sampleForMetrics(session.sampleGenerator, config, 256);
    const m = await compareWithReference(reference, samples);
    rows.push({
      recipe,
      steps: session.step,
      seconds: elapsed,
      swd: m.swd,
      kid: m.kid,
      diversity: m.diversity,
      load: loadavg()[0],
    });
    process.stderr.write(`${recipe}: ${session.step} steps in ${elapsed.toFixed(0)} s, SWD ${m.swd.toFixed(1)}\n`);
  } finally {
    session.dispose();
  }
}

const base = rows.find((r) => r.recipe === 'small-dataset');
if (process.argv.includes('--json'))
  process.stdout.write(JSON.stringify({ seconds, images: ds.count, heldout: split.heldout.length, rows }) + '\n');
else {
  process.stdout.write(`recipe          | steps | SWD     | ÷ small-dataset | KID      | diversity | load\n`);
  for (const r of rows) {
    const ratio = base ? (r.swd / base.swd).toFixed(2) : '-';
    process.stdout.write(
      `${r.recipe.padEnd(15)} | ${String(r.steps).padStart(5)} | ${r.swd.toFixed(1).padStart(7)} | ${ratio.padStart(15)} | ${r.kid.toFixed(1).padStart(8)} | ${r.diversity.toFixed(2).padStart(9)} | ${r.load.toFixed(1)}\n`,
    );
  }
}
