/**
 * `gan-studio generate` and `gan-studio export` on a run trained in beforeAll,
 * then the exported model loaded back with tf.loadLayersModel in this process.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { latents } from '../../src/engine/generate';
import {
  TINY,
  cliTempDir,
  describeResult,
  expectSuccess,
  gridSide,
  pngInfo,
  readJson,
  runCli,
  startCli,
  trainRun,
  waitFor,
} from '../helpers/cli';

const ws = cliTempDir('gan-cli-gen-');
let runDir: string;
let n = 0;

/** A fresh output folder. */
const outDir = (): string => path.join(ws.dir, `out-${n++}`);

async function generate(args: string[]): Promise<{ dir: string; files: string[]; stderr: string }> {
  const dir = outDir();
  const r = expectSuccess(await runCli(['generate', '--out', dir, ...args], { env: ws.env }));
  expect(r.stdout).toBe('');
  return { dir, files: (await fs.readdir(dir)).sort(), stderr: r.stderr };
}

async function bytesOf(dir: string, files: string[]): Promise<Buffer[]> {
  return Promise.all(files.map((f) => fs.readFile(path.join(dir, f))));
}

beforeAll(async () => {
  const r = await trainRun(
    path.join(ws.dir, 'runs'),
    ['--steps', '3', '--batch', '8', '--sample-every', '0', '--checkpoint-every', '2', ...TINY],
    { env: ws.env },
  );
  runDir = r.runDir;
});

describe('generate', () => {
  it('writes --count PNGs of 28×28 grayscale from a run folder, and grid.png with --grid', async () => {
    const { dir, files, stderr } = await generate(['--checkpoint', runDir, '--count', '5', '--seed', '3', '--grid']);
    expect(files).toEqual(['grid.png', ...[0, 1, 2, 3, 4].map((i) => `seed3-000${i}.png`)]);
    for (const f of files.filter((f) => f !== 'grid.png')) {
      expect(await pngInfo(path.join(dir, f))).toEqual({ width: 28, height: 28, channels: 1 });
    }
    // 5 images: 3 columns × 2 rows with 2-pixel gaps.
    expect(await pngInfo(path.join(dir, 'grid.png'))).toEqual({
      width: gridSide(3, 28),
      height: gridSide(2, 28),
      channels: 1,
    });
    expect(stderr.trim()).toBe(`wrote 5 images and grid.png to ${dir} (EMA generator, step 3)`);
  });

  it('uses the newest checkpoint of a run folder: same images as naming that checkpoint', async () => {
    const fromRun = await generate(['--checkpoint', runDir, '--count', '3', '--seed', '11']);
    const fromCkpt = await generate([
      '--checkpoint',
      path.join(runDir, 'checkpoints', 'step-000003'),
      '--count',
      '3',
      '--seed',
      '11',
    ]);
    expect(fromCkpt.files).toEqual(fromRun.files);
    expect(await bytesOf(fromCkpt.dir, fromCkpt.files)).toEqual(await bytesOf(fromRun.dir, fromRun.files));
    // The older checkpoint is a different generator.
    const older = await generate([
      '--checkpoint',
      path.join(runDir, 'checkpoints', 'step-000002'),
      '--count',
      '3',
      '--seed',
      '11',
    ]);
    expect(older.stderr).toMatch(/\(EMA generator, step 2\)/);
    expect(await bytesOf(older.dir, older.files)).not.toEqual(await bytesOf(fromRun.dir, fromRun.files));
  });

  it('is deterministic per seed: same seed byte-identical, another seed different', async () => {
    const a = await generate(['--checkpoint', runDir, '--count', '4', '--seed', '42', '--grid']);
    const b = await generate(['--checkpoint', runDir, '--count', '4', '--seed', '42', '--grid']);
    const c = await generate(['--checkpoint', runDir, '--count', '4', '--seed', '43', '--grid']);
    expect(b.files).toEqual(a.files);
    expect(await bytesOf(b.dir, b.files)).toEqual(await bytesOf(a.dir, a.files));
    const pa = await bytesOf(a.dir, a.files);
    const pc = await bytesOf(c.dir, c.files);
    expect(c.files).toContain('seed43-0000.png');
    for (let i = 0; i < 4; i++) expect(pc[i + 1].equals(pa[i + 1]), `image ${i}`).toBe(false);
    expect(pc[0].equals(pa[0])).toBe(false); // grid.png
  });

  it('--truncation ψ pulls the images towards the mean latent; ψ = 1 is the plain image', async () => {
    const plain = await generate(['--checkpoint', runDir, '--count', '2', '--seed', '9']);
    const one = await generate(['--checkpoint', runDir, '--count', '2', '--seed', '9', '--truncation', '1']);
    const half = await generate(['--checkpoint', runDir, '--count', '2', '--seed', '9', '--truncation', '0.5']);
    expect(await bytesOf(one.dir, one.files)).toEqual(await bytesOf(plain.dir, plain.files));
    expect((await bytesOf(half.dir, half.files))[0].equals((await bytesOf(plain.dir, plain.files))[0])).toBe(false);
    const bad = await runCli(
      ['generate', '--checkpoint', runDir, '--count', '1', '--out', outDir(), '--truncation', '3'],
      { env: ws.env },
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--truncation needs a number from 0 to 2, got "3"/);
  });

  it('streams a big --count to disk with progress lines, and refuses counts past the bound in one line', async () => {
    const big = await generate(['--checkpoint', runDir, '--count', '1000', '--seed', '1']);
    expect(big.files).toHaveLength(1000);
    expect(big.files[999]).toBe('seed1-0999.png');
    const lines = big.stderr.split('\n').filter((l) => l.startsWith('generating: '));
    expect(lines).toEqual([
      'generating: 256/1000 images',
      'generating: 512/1000 images',
      'generating: 768/1000 images',
    ]); // batches of 64, a line per quarter
    expect(big.stderr.trim().split('\n').at(-1)).toMatch(/^wrote 1000 images to /);
    const tooMany = await runCli(['generate', '--checkpoint', runDir, '--count', '2000000', '--out', outDir()], {
      env: ws.env,
    });
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderrLines).toEqual([
      'error: 2,000,000 images is more than one call may write (at most 1,000,000); split it into several calls with different seeds.',
    ]);
  });

  it('--out naming a file gives one clear line, not EEXIST, and leaves the file alone', async () => {
    const file = path.join(ws.dir, 'taken.png');
    await fs.writeFile(file, 'mine');
    const r = await runCli(['generate', '--checkpoint', runDir, '--count', '2', '--out', file], { env: ws.env });
    expect(r.code).toBe(1);
    expect(r.stderrLines).toEqual([`error: ${file} is a file, not a folder: give a folder to write the images into.`]);
    expect(await fs.readFile(file, 'utf8')).toBe('mine');
  });

  it('--scale 2 upscales the PNGs', async () => {
    const { dir, files } = await generate(['--checkpoint', runDir, '--count', '1', '--scale', '2']);
    expect(files).toEqual(['seed0-0000.png']);
    expect(await pngInfo(path.join(dir, files[0]))).toEqual({ width: 56, height: 56, channels: 1 });
  });

  it('--filter lanczos upscales smoothly (other pixels than nearest), and an unknown filter is one line', async () => {
    const crisp = await generate(['--checkpoint', runDir, '--count', '1', '--scale', '3']);
    const smooth = await generate(['--checkpoint', runDir, '--count', '1', '--scale', '3', '--filter', 'lanczos']);
    expect(await pngInfo(path.join(smooth.dir, smooth.files[0]))).toEqual({ width: 84, height: 84, channels: 1 });
    const [a, b] = await Promise.all([crisp, smooth].map((g) => sharp(path.join(g.dir, g.files[0])).raw().toBuffer()));
    expect(b.length).toBe(a.length);
    expect(b.equals(a)).toBe(false);
    const bad = await runCli(
      ['generate', '--checkpoint', runDir, '--count', '1', '--out', outDir(), '--filter', 'cubic'],
      {
        env: ws.env,
      },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderrLines).toEqual(['error: Unknown upscale filter "cubic". Choose one of: nearest, lanczos.']);
  });
});

describe('export --format tfjs', () => {
  let exportDir: string;

  beforeAll(async () => {
    exportDir = outDir();
    const r = await runCli(['export', '--checkpoint', runDir, '--format', 'tfjs', '--out', exportDir], { env: ws.env });
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(`exported EMA generator (step 3, 28×28×1, latent 100) to ${exportDir}`);
    await tf.setBackend('cpu');
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false; // no "install tfjs-node" banner
  });

  it('writes model.json, weights.bin, generator.json and the demo page (index.html, demo.js, tf.min.js, gan-sampler.js), nothing else', async () => {
    expect((await fs.readdir(exportDir)).sort()).toEqual([
      'demo.js',
      'gan-sampler.js',
      'generator.json',
      'index.html',
      'model.json',
      'tf.min.js',
      'weights.bin',
    ]);
    const info = await readJson<{ classNames: string[] }>(path.join(exportDir, 'generator.json'));
    expect(info).toMatchObject({
      format: 'gan-studio-generator',
      version: 1,
      model: 'model.json',
      latentDim: 100,
      latentDistribution: 'normal',
      resolution: 28,
      channels: 1,
      layout: 'NHWC',
      outputRange: [-1, 1],
      ema: true,
      step: 3,
      preset: 'dcgan-28',
    });
    expect(info.classNames).toHaveLength(10);
    const model = await readJson<{ format: string; weightsManifest: { paths: string[] }[] }>(
      path.join(exportDir, 'model.json'),
    );
    expect(model.format).toBe('layers-model');
    expect(model.weightsManifest[0].paths).toEqual(['./weights.bin']);
  });

  it('--quantize uint8 writes TF.js-quantized weights and reports their size and the largest pixel difference', async () => {
    const dir = outDir();
    const r = expectSuccess(
      await runCli(['export', '--checkpoint', runDir, '--out', dir, '--quantize', 'uint8'], { env: ws.env }),
    );
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`exported EMA generator (step 3, 28×28×1, latent 100) to ${dir}`);
    const info = await readJson<{
      weightBytes: number;
      quantization: { dtype: string; floatWeightBytes: number; maxPixelDiff: number };
    }>(path.join(dir, 'generator.json'));
    expect(lines[1]).toMatch(
      new RegExp(
        `^weights: [0-9.]+ MB \\(uint8\\) instead of [0-9.]+ MB \\(float32\\); largest pixel difference against float on seeds 0–7: ${info.quantization.maxPixelDiff} grey levels?$`,
      ),
    );
    expect(info.weightBytes).toBe((await fs.stat(path.join(dir, 'weights.bin'))).size);
    expect(info.weightBytes).toBeLessThan(info.quantization.floatWeightBytes / 3.5);
    const model = await readJson<{ weightsManifest: { weights: { quantization?: { dtype: string } }[] }[] }>(
      path.join(dir, 'model.json'),
    );
    expect(model.weightsManifest[0].weights.every((w) => w.quantization?.dtype === 'uint8')).toBe(true);
    const bad = await runCli(['export', '--checkpoint', runDir, '--out', outDir(), '--quantize', 'int4'], {
      env: ws.env,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderrLines).toEqual(['error: Unknown --quantize "int4". Choose one of: uint8, float16.']);
  });

  it('--open serves the export on loopback and prints the demo page address', async () => {
    const dir = outDir();
    // No browser on PATH: the command says so and keeps serving.
    const child = startCli(['export', '--checkpoint', runDir, '--out', dir, '--open'], {
      env: { ...ws.env, PATH: '/nonexistent' },
    });
    try {
      const url = await waitFor(
        async () => /demo page: (http:\/\/127\.0\.0\.1:\d+\/index\.html)/.exec(child.stderr())?.[1],
        60_000,
        'the demo page address',
      );
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<script src="demo.js"><\/script>/);
      expect((await fetch(url.replace('index.html', 'generator.json'))).status).toBe(200);
      expect((await fetch(url.replace('index.html', '..%2f..%2fetc%2fpasswd'))).status).toBe(404);
    } finally {
      child.child.kill('SIGINT');
    }
    const r = await child.done;
    expect(r.code).toBe(0);
  });

  it('loads with tf.loadLayersModel and generates [n, 28, 28, 1] in [-1, 1], matching `generate`', async () => {
    const info = await readJson<{ latentDim: number; resolution: number; channels: number }>(
      path.join(exportDir, 'generator.json'),
    );
    const modelJson = await readJson<{
      modelTopology: object;
      weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    }>(path.join(exportDir, 'model.json'));
    const weights = await fs.readFile(path.join(exportDir, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
      }),
    );
    try {
      expect(model.inputs[0].shape).toEqual([null, info.latentDim]);
      const count = 3;
      const seed = 5;
      const z = latents(seed, count, info.latentDim); // what `generate --seed 5` feeds G: seeds 5, 6, 7 (the seed rule)
      const out = tf.tidy(() => model.predict(tf.tensor2d(z, [count, info.latentDim])) as tf.Tensor);
      expect(out.shape).toEqual([count, info.resolution, info.resolution, info.channels]);
      const values = (await out.data()) as Float32Array;
      out.dispose();
      expect(values.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);

      // The exported model makes the images `generate` makes (up to rounding across backends).
      const gen = await generate(['--checkpoint', runDir, '--count', String(count), '--seed', String(seed)]);
      const size = info.resolution * info.resolution * info.channels;
      for (let i = 0; i < count; i++) {
        const png = await sharp(path.join(gen.dir, gen.files[i])).extractChannel(0).raw().toBuffer();
        expect(png.length).toBe(size);
        let maxDiff = 0;
        for (let k = 0; k < size; k++) {
          const expected = Math.min(255, Math.max(0, Math.round((values[i * size + k] + 1) * 127.5)));
          maxDiff = Math.max(maxDiff, Math.abs(png[k] - expected));
        }
        expect(maxDiff, `image ${i}`).toBeLessThanOrEqual(1);
      }
    } finally {
      model.dispose();
    }
  });
});
