/**
 * Makes the fixture runs under tests/fixtures/ (see tests/fixtures/README.md),
 * which every later version must resume, generate from and export
 * (tests/engine/fixture-runs.test.ts). Never rerun it to make a failing
 * fixture test pass: a fixture is a record of what an old version saved.
 * Rerun it only to add the fixtures of a new run or checkpoint format, into
 * a new `format-N/` folder, keeping the old ones.
 *
 *   npx tsx scripts/make-fixtures.ts          this version's runs (format-2/)
 *   npx tsx scripts/make-fixtures.ts --v010   also GAN Studio 0.1.0's run (format-1/), made by 0.1.0 itself
 *
 * Each run: the options in tests/helpers/fixture-runs.ts, 4 steps of batch 4
 * on wasm over tests/fixtures/data/fashion-2 (named relative to the repo
 * root, so run this from anywhere: it changes into the repo root), one
 * checkpoint kept. Next to the runs, tests/fixtures/expected/ records what the
 * generator drew at fixture time for seeds 3 and 4: one PNG per seed and the
 * raw float32 output (`.f32`, little-endian, NHWC, both seeds).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { activateBackend, generateSeeds, imagePng, loadGenerator, startRun } from '../src/engine';
import {
  DCGAN_28,
  EXPECTED_SEEDS,
  FIXTURES_DIR,
  REPO_ROOT,
  TECHNIQUES,
  V010_DCGAN_28,
  expectedFloats,
  expectedPng,
  fixturePath,
  generatorFloats,
  type FixtureRun,
} from '../tests/helpers/fixture-runs';

/** The last commit of GAN Studio 0.1.0. */
const V010_COMMIT = '6db7727';

const seedPng = (run: FixtureRun, seed: number): string => expectedPng(run).replace(/\.png$/, `-seed${seed}.png`);

async function place(runDir: string, run: FixtureRun): Promise<string> {
  const dest = fixturePath(run);
  await rm(dest, { recursive: true, force: true });
  await mkdir(path.dirname(dest), { recursive: true });
  await rename(runDir, dest);
  return dest;
}

/** A run of this version, through the same startRun the CLI and the studio use. */
async function makeRun(run: FixtureRun, runsRoot: string): Promise<void> {
  const result = await startRun({ mode: 'new', runsRoot, config: { sources: { preset: run.preset, sets: run.sets } } });
  if (result.status !== 'finished') throw new Error(`${run.folder}: ${result.status}`);
  const dir = await place(result.runDir, run);
  const gen = await loadGenerator(dir);
  try {
    const images = await generateSeeds(gen, EXPECTED_SEEDS);
    await mkdir(path.dirname(expectedPng(run)), { recursive: true });
    for (const [i, seed] of EXPECTED_SEEDS.entries()) await writeFile(seedPng(run, seed), await imagePng(images, i));
    await writeFile(expectedFloats(run), generatorFloats(gen, EXPECTED_SEEDS));
  } finally {
    gen.model.dispose();
  }
  console.log(`made ${dir}`);
}

/**
 * GAN Studio 0.1.0's run, by 0.1.0 itself: its source from git, this
 * checkout's node_modules, its own CLI. Its images are 0.1.0's `generate`
 * of one image per seed (0.1.0 drew image k of a batch from one stream;
 * image 0 of seed s is seed s in both rules), its floats 0.1.0's generator.
 */
async function makeV010(run: FixtureRun, runsRoot: string): Promise<void> {
  const tree = await mkdtemp(path.join(os.tmpdir(), 'gan-studio-0.1.0-'));
  try {
    execFileSync('sh', ['-c', `git -C "${REPO_ROOT}" archive ${V010_COMMIT} | tar -x -C "${tree}"`]);
    await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(tree, 'node_modules'));
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, [path.join(tree, 'bin', 'gan-studio.mjs'), ...args], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    // The exact command (0.1.0's flags), with the options of V010_DCGAN_28.sets.
    cli(
      'train',
      '--preset',
      run.preset,
      ...run.sets.flatMap((s) => ['--set', s]),
      '--batch',
      '4',
      '--steps',
      '4',
      '--seed',
      '7',
      '--backend',
      'wasm',
      '--out',
      runsRoot,
      '--name',
      'dcgan-28-v010',
    );
    const [made] = (await readdir(runsRoot)).filter((n) => n.endsWith('-dcgan-28-v010'));
    const dir = await place(path.join(runsRoot, made), run);
    await mkdir(path.dirname(expectedPng(run)), { recursive: true });
    for (const seed of EXPECTED_SEEDS) {
      const out = path.join(runsRoot, `gen-${seed}`);
      cli('generate', '--checkpoint', dir, '--count', '1', '--seed', String(seed), '--backend', 'wasm', '--out', out);
      await rename(path.join(out, `seed${seed}-0000.png`), seedPng(run, seed));
    }
    // 0.1.0's generator output as floats, by 0.1.0's own code.
    const dump = path.join(tree, 'dump-floats.ts');
    await writeFile(
      dump,
      `import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { useBackend } from './src/engine/backend';
import { latents, loadGenerator } from './src/engine/generator';
await useBackend('wasm');
const gen = await loadGenerator(${JSON.stringify(dir)});
const seeds = ${JSON.stringify(EXPECTED_SEEDS)};
const parts = seeds.map((s) => (gen.model.predict(tf.tensor2d(latents(s, 1, gen.latentDim, gen.latentDist), [1, gen.latentDim])) as tf.Tensor).dataSync());
const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
parts.reduce((o, p) => (all.set(p, o), o + p.length), 0);
writeFileSync(${JSON.stringify(expectedFloats(run))}, all);
`,
    );
    execFileSync(process.execPath, ['--import', 'tsx', dump], { cwd: tree, stdio: 'inherit' });
    console.log(`made ${dir} with GAN Studio 0.1.0`);
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}

process.chdir(REPO_ROOT);
// A private dataset cache: the fixtures must not depend on (or fill) the user's.
const scratch = await mkdtemp(path.join(os.tmpdir(), 'gan-studio-fixtures-'));
process.env.GAN_STUDIO_CACHE = path.join(scratch, 'cache');
try {
  await activateBackend('wasm', { threads: 1 });
  for (const run of [DCGAN_28, TECHNIQUES]) await makeRun(run, path.join(scratch, 'runs'));
  if (process.argv.includes('--v010')) await makeV010(V010_DCGAN_28, path.join(scratch, 'runs-0.1.0'));
  console.log(`fixtures in ${FIXTURES_DIR}`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
