/**
 * The studio backend end to end: real training and tools worker processes,
 * real files in temp folders, a tiny model on the demo data.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, TrainingEvent } from '../../src/shared/contract';
import { tempDir } from '../helpers/temp';
import { DEMO_OPTIONS, makeImageFolder, makeStudio, tinyConfig, type TestStudio } from './helpers';

let s: TestStudio;

beforeAll(async () => {
  s = await makeStudio('browser');
});

afterAll(async () => {
  await s?.backend.dispose();
});

const decodePng = async (dataUrl: string) => {
  expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true);
  return sharp(Buffer.from(dataUrl.slice(22), 'base64')).metadata();
};

describe('argument validation (the same zod schemas as Electron main)', () => {
  it('rejects unknown channels, bad ids, extra fields and wrong types', async () => {
    await expect(s.backend.invoke('fs:delete-everything', [])).rejects.toThrow(/Unknown operation/);
    await expect(s.call('runs:get', { runId: '../../etc' })).rejects.toThrow(/runId: not a run id/);
    await expect(s.call('runs:get', { runId: '00001-x', extra: 1 })).rejects.toThrow(
      /Invalid arguments for "runs:get"/,
    );
    await expect(s.call('generate:images', { checkpoint: { runId: '00001-x' }, seeds: ['a'] })).rejects.toThrow(
      /seeds/,
    );
    await expect(
      s.call('generate:images', { checkpoint: { runId: '00001-x' }, seeds: [1], truncation: 5 }),
    ).rejects.toThrow(/truncation/);
    await expect(s.call('studio:info', 'surprise')).rejects.toThrow(/Invalid arguments/);
    await expect(s.call('training:start', { config: { model: { resolution: 30 } } })).rejects.toThrow(
      /model.resolution/,
    );
    await expect(
      s.call('generate:save-image', { checkpoint: { runId: '00001-x' }, pin: { seed: 1 }, fileName: '../evil.png' }),
    ).rejects.toThrow(/fileName/);
  });
});

describe('config', () => {
  it('gives the JSON schema, groups covering every option, and presets', async () => {
    const info = await s.call('config:schema');
    const props = (info.jsonSchema as { properties: Record<string, { type?: string; properties?: object }> })
      .properties;
    const fields = Object.entries(props).flatMap(([k, v]) =>
      v.type === 'object' && v.properties ? Object.keys(v.properties).map((x) => `${k}.${x}`) : [k],
    );
    expect(info.groups.flatMap((g) => g.fields).sort()).toEqual(fields.sort());
    expect(info.presets.map((p) => p.name)).toEqual(expect.arrayContaining(['dcgan-28', 'dcgan-64']));
    expect(info.presets.find((p) => p.name === 'dcgan-64')!.config.model.resolution).toBe(64);
  });

  it('resolves preset < config < sets and names every bad option', async () => {
    const ok = await s.call('config:resolve', { preset: 'dcgan-64', config: { steps: 10 }, sets: ['g.lr=0.001'] });
    expect(ok.ok && ok.config.steps === 10 && ok.config.g.lr === 0.001 && ok.config.model.resolution === 64).toBe(true);
    const bad = await s.call('config:resolve', {
      preset: 'dcgan-28',
      config: { g: { lr: -1 }, batchSize: 0, bogus: 1 },
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error).toMatch(/option/);
    expect(bad.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['g.lr', 'batchSize', 'bogus']));
    const unknownPreset = await s.call('config:resolve', { preset: 'nope' });
    expect(unknownPreset.ok === false && unknownPreset.error).toMatch(/Unknown preset "nope"/);
  });
});

describe('folders and data sets', () => {
  let folder: string;
  let summary: DatasetSummary;

  it('refuses folders the user did not choose', async () => {
    folder = await makeImageFolder(await tempDir('gan-studio-imgs-'));
    await expect(s.call('datasets:import', { dir: folder, options: DEMO_OPTIONS })).rejects.toThrow(
      /only use folders you chose/,
    );
    await expect(s.call('datasets:preview', { dir: '/etc', options: DEMO_OPTIONS })).rejects.toThrow(
      /only use folders you chose/,
    );
    await expect(s.call('shell:open-path', { kind: 'path', path: '/etc' })).rejects.toThrow(
      /only use folders you chose/,
    );
    await expect(s.call('datasets:import', { dir: 'relative/path', options: DEMO_OPTIONS })).rejects.toThrow(
      /absolute/,
    );
  });

  it('browses folders, and a chosen folder imports with stats, report, thumbnails and a preview', async () => {
    const listing = await s.call('fs:list-dir', { path: path.dirname(folder) });
    expect(listing.entries.map((e) => e.name)).toContain('images');
    const inner = await s.call('fs:list-dir', { path: folder });
    expect(inner.entries.map((e) => [e.name, e.imageCount])).toEqual([
      ['cats', 7],
      ['dogs', 6],
    ]);
    const chosen = await s.call('fs:choose-folder', { path: folder, purpose: 'dataset' });
    const since = s.mark();
    summary = await s.call('datasets:import', {
      dir: chosen,
      options: { ...DEMO_OPTIONS, channels: 3, resolution: 16 },
      taskId: 'imp-1',
    });
    expect(summary).toMatchObject({
      count: 12,
      classNames: ['cats', 'dogs'],
      classCounts: [6, 6],
      skippedCount: 2,
      fromCache: false,
    });
    expect(summary.sourceSizes).toEqual({ minWidth: 40, maxWidth: 51, minHeight: 32, maxHeight: 32 });
    expect(summary.skipped.map((x) => x.file).sort()).toEqual(['cats/empty.png', 'dogs/notes.txt']);
    await s.waitFor(
      'task:progress',
      (p) => p.taskId === 'imp-1' && p.phase === 'decode' && p.done === p.total,
      5000,
      since,
    );

    const page = await s.call('datasets:thumbnails', { datasetId: summary.id, offset: 10, limit: 5 });
    expect(page.total).toBe(12);
    expect(page.items.map((i) => i.index)).toEqual([10, 11]);
    const meta = await decodePng(page.items[0].dataUrl);
    expect([meta.width, meta.height]).toEqual([16, 16]);
    const skipped = await s.call('datasets:skipped', { datasetId: summary.id, offset: 1, limit: 10 });
    expect(skipped.total).toBe(2);
    expect(skipped.items).toHaveLength(1);

    const listed = await s.call('datasets:list');
    expect(listed[0].id).toBe(summary.id);

    const preview = await s.call('datasets:preview', {
      dir: chosen,
      options: { ...DEMO_OPTIONS, channels: 3, resize: 'pad', background: '#000000' },
      count: 3,
      displaySize: 64,
    });
    expect(preview.items).toHaveLength(3);
    expect(preview.totalFiles).toBe(13);
    for (const item of preview.items) {
      if (item.file === 'cats/empty.png') {
        expect(item.error).toBe('empty file (0 bytes)');
        continue;
      }
      expect(item.error, item.file).toBeNull();
      const orig = await decodePng(item.original);
      expect(Math.max(orig.width!, orig.height!)).toBe(64);
      const proc = await decodePng(item.processed);
      expect([proc.width, proc.height]).toEqual([64, 64]);
    }
  });

  it('a folder without a usable image answers with its report, and the failed import is remembered', async () => {
    const bad = await tempDir('gan-studio-bad-');
    await writeFile(path.join(bad, 'empty.png'), '');
    await writeFile(path.join(bad, 'broken.png'), 'not a png');
    const chosen = await s.call('fs:choose-folder', { path: bad, purpose: 'dataset' });
    const failed = await s.call('datasets:import', { dir: chosen, options: DEMO_OPTIONS });
    expect(failed.count).toBe(0);
    expect(failed.error).toMatch(/^No usable images in .*: 2 files skipped/);
    expect(failed.skipped.map((x) => x.file).sort()).toEqual(['broken.png', 'empty.png']);
    expect(failed.skipped.find((x) => x.file === 'empty.png')?.reason).toBe('empty file (0 bytes)');
    const listed = await s.call('datasets:list');
    expect(listed.find((d) => d.id === failed.id)?.error).toBe(failed.error);
  });

  it('60k-style paging is fast: a page of 500 demo thumbnails', async () => {
    const demo = await s.call('datasets:import', { dir: null, options: DEMO_OPTIONS });
    expect(demo.count).toBe(3000);
    expect(demo.classNames).toHaveLength(10);
    const started = performance.now();
    const page = await s.call('datasets:thumbnails', { datasetId: demo.id, offset: 2500, limit: 500 });
    expect(page.items).toHaveLength(500);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('the desktop mode', () => {
  it('has no folder browser and grants only through the dialog', async () => {
    const d = await makeStudio('electron');
    try {
      expect((await d.call('studio:info')).nativeDialogs).toBe(true);
      await expect(d.call('fs:list-dir', {})).rejects.toThrow(/folder dialog/);
      await expect(d.call('fs:choose-folder', { path: '/tmp', purpose: 'dataset' })).rejects.toThrow(/folder dialog/);
      expect(await d.call('dialog:pick-folder', { purpose: 'dataset' })).toBeNull();
      await expect(d.call('datasets:import', { dir: '/tmp', options: DEMO_OPTIONS })).rejects.toThrow(
        /only use folders you chose/,
      );
    } finally {
      await d.backend.dispose();
    }
  });
});

describe('training in its own process', () => {
  let runId: string;

  it('starts, streams steps and samples, pauses, resumes and stops', async () => {
    const since = s.mark();
    const { jobId } = await s.call('training:start', { config: tinyConfig({ steps: 1_000_000, name: 'life' }) });
    const started = await s.trainingEvent('started', (e) => e.jobId === jobId, 60_000, since);
    runId = started.runId;
    expect(runId).toMatch(/^\d{5}-life$/);
    expect(started.backend).toBe('wasm');
    const sample = await s.trainingEvent('sample', () => true, 30_000, since);
    expect((await decodePng(sample.dataUrl)).width).toBeGreaterThan(28);
    await s.trainingEvent('steps', (e) => e.stats.length > 0 && Number.isFinite(e.stats[0].lossD), 30_000, since);
    await s.trainingEvent('checkpoint', () => true, 30_000, since);
    expect(s.backend.workerPids.training).toBeGreaterThan(0);

    const pauseMark = s.mark();
    await s.call('training:pause');
    const paused = await s.trainingEvent('paused', () => true, 30_000, pauseMark);
    expect((await s.call('training:state')).phase).toBe('paused');
    const statusFile = JSON.parse(await readFile(path.join(s.runsRoot, runId, 'status.json'), 'utf8')) as {
      status: string;
    };
    expect(statusFile.status).toBe('paused');
    await new Promise((r) => setTimeout(r, 700));
    const stepsWhilePaused = s.events
      .slice(pauseMark)
      .filter((e) => e.channel === 'training:event' && (e.payload as TrainingEvent).type === 'steps')
      .flatMap((e) => (e.payload as Extract<TrainingEvent, { type: 'steps' }>).stats)
      .filter((st) => st.step > paused.step);
    expect(stepsWhilePaused).toEqual([]);
    expect((await s.call('runs:list')).find((r) => r.id === runId)).toMatchObject({
      status: 'paused',
      live: true,
      resumable: false,
    });

    const resumeMark = s.mark();
    await s.call('training:resume');
    await s.trainingEvent('resumed', () => true, 30_000, resumeMark);
    await s.trainingEvent('steps', (e) => e.stats.some((st) => st.step > paused.step), 30_000, resumeMark);
    await expect(s.call('training:start', { config: tinyConfig() })).rejects.toThrow(/already in progress/);
    await expect(s.call('runs:delete', { runId })).rejects.toThrow(/stop it before deleting/);

    const stopMark = s.mark();
    await s.call('training:stop');
    const done = await s.trainingEvent('done', () => true, 60_000, stopMark);
    expect(done.status).toBe('stopped');
    await s.waitFor('training:state', (st) => st.phase === 'idle', 10_000, stopMark);
    const run = (await s.call('runs:list')).find((r) => r.id === runId)!;
    expect(run).toMatchObject({
      status: 'stopped',
      live: false,
      resumable: true,
      step: done.step,
      lastCheckpointStep: done.step,
    });
  });

  it('reports a killed training process (SIGKILL) with its reason, and resumes from the last checkpoint', async () => {
    const since = s.mark();
    const { jobId } = await s.call('training:resume-run', { runId, changes: { steps: 1_000_000 } });
    const started = await s.trainingEvent('started', (e) => e.jobId === jobId, 60_000, since);
    expect(started.resumedFrom).not.toBeNull();
    const cp = await s.trainingEvent('checkpoint', (e) => e.step > started.step, 30_000, since);
    const pid = s.backend.workerPids.training!;
    process.kill(pid, 'SIGKILL');
    const died = await s.trainingEvent('died', () => true, 30_000, since);
    expect(died).toMatchObject({ jobId, runId, signal: 'SIGKILL', canResume: true });
    expect(died.reason).toMatch(/training process was killed \(SIGKILL\)/);
    expect(died.lastCheckpointStep).toBeGreaterThanOrEqual(cp.step);
    await s.waitFor('training:state', (st) => st.phase === 'idle', 10_000, since);
    expect((await s.call('runs:list')).find((r) => r.id === runId)).toMatchObject({
      status: 'interrupted',
      live: false,
      resumable: true,
    });

    const again = s.mark();
    const second = await s.call('training:resume-run', { runId, changes: { steps: died.lastCheckpointStep! + 20 } });
    const restarted = await s.trainingEvent('started', (e) => e.jobId === second.jobId, 60_000, again);
    expect(restarted.resumedFrom).toBe(died.lastCheckpointStep);
    expect(restarted.step).toBe(died.lastCheckpointStep);
    const done = await s.trainingEvent('done', (e) => e.jobId === second.jobId, 60_000, again);
    expect(done).toMatchObject({ status: 'finished', step: died.lastCheckpointStep! + 20 });
  });

  it('shows the run: detail, full stats, samples for the timeline, checkpoints', async () => {
    const detail = await s.call('runs:get', { runId });
    expect(detail.summary).toMatchObject({ status: 'finished', preset: 'dcgan-28', resolution: 28, channels: 1 });
    expect(detail.config.model.baseWidth).toBe(8);
    expect(detail.importReport?.imported).toBe(3000);
    expect(detail.sampleSteps[0]).toBe(0);
    expect(detail.checkpoints.length).toBeGreaterThan(0);
    expect(detail.checkpoints.length).toBeLessThanOrEqual(3);
    for (const c of detail.checkpoints) expect(c.sampleStep).toBe(c.step);
    const stats = await s.call('runs:stats', { runId });
    expect(stats.stats.map((x) => x.step)).toEqual(Array.from({ length: detail.summary.step }, (_, i) => i + 1));
    const tail = await s.call('runs:stats', { runId, fromStep: detail.summary.step - 5 });
    expect(tail.stats).toHaveLength(5);
    const thin = await s.call('runs:stats', { runId, maxPoints: 10 });
    expect(thin.stats).toHaveLength(10);
    expect(thin.stats[9].step).toBe(detail.summary.step);
    const first = await s.call('runs:sample', { runId, step: 0 });
    expect(first.step).toBe(0);
    expect(first.width).toBeGreaterThan(28);
    const thumb = await s.call('runs:sample', { runId, maxSize: 32 });
    expect(thumb.step).toBe(detail.sampleSteps[detail.sampleSteps.length - 1]);
    expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(32);
    await expect(s.call('runs:sample', { runId, step: 3 })).rejects.toThrow(/no sample at step 3/);
    const opened = await s.call('shell:open-path', { kind: 'run', runId });
    expect(opened).toEqual({ path: path.join(s.runsRoot, runId), opened: false });
  });

  it('generates, interpolates, saves and exports from a checkpoint', async () => {
    const checkpoint = { runId };
    const meta = await s.call('generate:load', { checkpoint });
    expect(meta).toMatchObject({ runId, latentDim: 16, resolution: 28, channels: 1, ema: true });
    const a = await s.call('generate:images', { checkpoint, seeds: [1, 2, 3], truncation: 0.7, scale: 2 });
    const b = await s.call('generate:images', { checkpoint, seeds: [1], truncation: 0.7, scale: 2 });
    expect(a.size).toBe(56);
    expect(a.images.map((i) => i.seed)).toEqual([1, 2, 3]);
    expect(b.images[0].dataUrl).toBe(a.images[0].dataUrl); // same seed, same image
    const c = await s.call('generate:images', { checkpoint, seeds: [1], truncation: 0.2 });
    expect(c.images[0].dataUrl).not.toBe(a.images[0].dataUrl);
    expect(meta.numClasses).toBe(0);
    expect(a.images[0].class).toBeNull();
    await expect(s.call('generate:images', { checkpoint, seeds: [1], class: 0 })).rejects.toThrow(/not conditional/);

    const frames = await s.call('generate:interpolate', {
      checkpoint,
      pins: [{ seed: 1 }, { seed: 2 }, { seed: 3 }],
      framesPerSegment: 4,
      loop: true,
    });
    expect(frames.frames).toHaveLength(12);
    const open = await s.call('generate:interpolate', {
      checkpoint,
      pins: [{ seed: 1 }, { seed: 2 }],
      framesPerSegment: 4,
      loop: false,
      truncation: 0.7,
      scale: 2,
    });
    expect(open.frames).toHaveLength(5);
    expect(open.frames[0]).toBe(a.images[0].dataUrl); // the path starts at the first pin
    expect(open.frames[4]).toBe(a.images[1].dataUrl); // and ends at the last

    const png = await s.call('generate:save-image', { checkpoint, pin: { seed: 7 }, scale: 8 });
    expect(png.path).toBe(path.join(s.runsRoot, runId, 'generated', 'seed7-x8.png'));
    expect((await sharp(png.path).metadata()).width).toBe(224);

    const gif = await s.call('generate:export-interpolation', {
      checkpoint,
      pins: [{ seed: 1 }, { seed: 2 }],
      framesPerSegment: 3,
      format: 'gif',
      taskId: 'gif-1',
    });
    expect('bytes' in gif && gif.path.endsWith('.gif')).toBe(true);
    const gifMeta = await sharp((gif as { path: string }).path, { pages: -1 }).metadata();
    expect(gifMeta.pages).toBe(6);
    // At a chosen scale, smooth: 28 px frames become 112 px, and smoothing changes them.
    const bigGif = await s.call('generate:export-interpolation', {
      checkpoint,
      pins: [{ seed: 1 }, { seed: 2 }],
      framesPerSegment: 3,
      format: 'gif',
      scale: 4,
      filter: 'lanczos',
      fps: 10,
    });
    const bigMeta = await sharp(bigGif.path, { pages: -1 }).metadata();
    expect([bigMeta.width, bigMeta.pageHeight, bigMeta.pages]).toEqual([112, 112, 6]);
    expect(bigMeta.delay).toEqual(Array(6).fill(100));
    const crisp = await s.call('generate:save-image', { checkpoint, pin: { seed: 7 }, scale: 4 });
    const smooth = await s.call('generate:save-image', { checkpoint, pin: { seed: 7 }, scale: 4, filter: 'lanczos' });
    expect(path.basename(smooth.path)).toBe('seed7-x4-lanczos.png');
    const [crispPx, smoothPx] = await Promise.all([crisp, smooth].map((f) => sharp(f.path).raw().toBuffer()));
    expect(smoothPx.length).toBe(crispPx.length);
    expect(smoothPx.equals(crispPx)).toBe(false);
    const seq = await s.call('generate:export-interpolation', {
      checkpoint,
      pins: [{ seed: 1 }, { seed: 2 }],
      framesPerSegment: 3,
      loop: false,
      format: 'png-sequence',
    });
    expect((await readdir(seq.path)).sort()).toEqual([
      'frame-0000.png',
      'frame-0001.png',
      'frame-0002.png',
      'frame-0003.png',
    ]);

    const outside = await tempDir('gan-studio-out-');
    await expect(s.call('generate:batch', { checkpoint, count: 5, seed: 100, dir: outside })).rejects.toThrow(
      /only use folders you chose/,
    );
    await s.call('fs:choose-folder', { path: path.join(outside, 'batch'), purpose: 'output', create: true });
    const batch = await s.call('generate:batch', {
      checkpoint,
      count: 5,
      seed: 100,
      dir: path.join(outside, 'batch'),
      taskId: 'batch-1',
    });
    expect(batch.files).toBe(5);
    expect((await readdir(batch.path)).filter((n) => n.endsWith('.png'))).toHaveLength(5);

    const saved = await s.call('generate:save-latents', {
      checkpoint,
      pins: [{ seed: 1 }, { seed: 2 }],
      truncation: 0.7,
    });
    const parsed = await s.call('generate:parse-latents', { json: await readFile(saved.path, 'utf8') });
    expect(parsed.pins.map((p) => p.seed)).toEqual([1, 2]);
    expect(parsed.pins[0].z).toHaveLength(16);
    const fromZ = await s.call('generate:interpolate', {
      checkpoint,
      pins: parsed.pins,
      framesPerSegment: 4,
      loop: false,
      truncation: 0.7,
      scale: 2,
    });
    expect(fromZ.frames[0]).toBe(a.images[0].dataUrl); // a loaded latent reproduces the image
    await expect(s.call('generate:parse-latents', { json: '{"format":"other"}' })).rejects.toThrow(
      /Not a GAN Studio latents file/,
    );

    const since = s.mark();
    const exported = await s.call('export:web', { checkpoint, taskId: 'exp-1' });
    expect(exported.files).toEqual([
      'demo.js',
      'gan-sampler.js',
      'generator.json',
      'index.html',
      'model.json',
      'tf.min.js',
      'weights.bin',
    ]);
    expect(existsSync(path.join(s.runsRoot, runId, 'export-web', 'model.json'))).toBe(true);
    await s.waitFor('task:progress', (p) => p.taskId === 'exp-1' && p.phase === 'done', 5000, since);
    await expect(s.call('export:web', { checkpoint: { runId, step: 3 } })).rejects.toThrow(/no checkpoint at step 3/);
    expect(exported.quantization).toBeNull();
    expect(exported.snippets.script).toMatch(/GanSampler\.latentsOf/);

    // Quantized weights: smaller, with the pixel difference the export measured.
    const small = await s.call('export:web', { checkpoint, quantize: 'uint8' });
    expect(small.dir).not.toBe(exported.dir); // a numbered sibling: the first export stays
    expect(small.quantization).toMatchObject({ dtype: 'uint8', floatWeightBytes: exported.weightBytes });
    expect(small.weightBytes).toBeLessThan(exported.weightBytes / 3.5);
    await expect(s.call('export:web', { checkpoint, quantize: 'int4' })).rejects.toThrow(/quantize/);
  });

  it('diffs two runs and deletes one', async () => {
    const since = s.mark();
    const { jobId } = await s.call('training:start', {
      config: tinyConfig({ steps: 3, name: 'other', d: { lr: 0.0004 } }),
    });
    await s.trainingEvent('done', (e) => e.jobId === jobId, 60_000, since);
    const runs = await s.call('runs:list');
    expect(runs.map((r) => r.id)).toEqual(['00002-other', runId]);
    const diff = await s.call('runs:diff', { a: runId, b: '00002-other' });
    expect(diff).toEqual(
      expect.arrayContaining([
        { path: 'd.lr', a: 0.0002, b: 0.0004 },
        { path: 'name', a: 'life', b: 'other' },
      ]),
    );
    await s.call('runs:delete', { runId: '00002-other' });
    expect((await s.call('runs:list')).map((r) => r.id)).toEqual([runId]);
    await expect(s.call('runs:get', { runId: '00002-other' })).rejects.toThrow(/not found/);
  });

  it('a training that fails reports an error event, not a death', async () => {
    const missing = await tempDir('gan-studio-empty-');
    await s.call('fs:choose-folder', { path: missing, purpose: 'dataset' });
    const since = s.mark();
    const { jobId } = await s.call('training:start', { config: tinyConfig({ data: { dir: missing } }) });
    const error = await s.trainingEvent('error', (e) => e.jobId === jobId, 60_000, since);
    expect(error.message).toMatch(/No images in/);
    await s.waitFor('training:state', (st) => st.phase === 'idle', 10_000, since);
    expect(
      s.events.slice(since).some((e) => e.channel === 'training:event' && (e.payload as TrainingEvent).type === 'died'),
    ).toBe(false);
  });

  it('a conditional run generates per class and rejects a class it does not have', async () => {
    const since = s.mark();
    const { jobId } = await s.call('training:start', {
      config: tinyConfig({
        steps: 2,
        name: 'cond',
        conditional: { enabled: true },
        model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 16, baseWidth: 4 },
      }),
    });
    const done = await s.trainingEvent('done', (e) => e.jobId === jobId, 60_000, since);
    const checkpoint = { runId: done.runId };
    const meta = await s.call('generate:load', { checkpoint });
    expect(meta.numClasses).toBe(10);
    expect(meta.classNames).toHaveLength(10);

    const c0 = await s.call('generate:images', { checkpoint, seeds: [5], class: 0 });
    const c3 = await s.call('generate:images', { checkpoint, seeds: [5], class: 3 });
    expect(c0.images[0].class).toBe(0);
    expect(c3.images[0].class).toBe(3);
    expect(c3.images[0].dataUrl).not.toBe(c0.images[0].dataUrl); // same seed, another class
    const all = await s.call('generate:images', { checkpoint, seeds: [5, 5, 5, 5] }); // all classes: cycled
    expect(all.images.map((i) => i.class)).toEqual([0, 1, 2, 3]);
    expect(all.images[0].dataUrl).toBe(c0.images[0].dataUrl);
    expect(all.images[3].dataUrl).toBe(c3.images[0].dataUrl);
    const perSeed = await s.call('generate:images', { checkpoint, seeds: [5, 5], classes: [3, 0] });
    expect(perSeed.images.map((i) => i.dataUrl)).toEqual([c3.images[0].dataUrl, c0.images[0].dataUrl]);

    const frames = await s.call('generate:interpolate', {
      checkpoint,
      pins: [
        { seed: 5, class: 3 },
        { seed: 5, class: 0 },
      ],
      framesPerSegment: 2,
      loop: false,
    });
    expect([frames.frames[0], frames.frames[2]]).toEqual([c3.images[0].dataUrl, c0.images[0].dataUrl]);
    const saved = await s.call('generate:save-latents', { checkpoint, pins: [{ seed: 5, class: 3 }, { seed: 6 }] });
    const parsed = await s.call('generate:parse-latents', { json: await readFile(saved.path, 'utf8') });
    expect(parsed.pins.map((p) => p.class)).toEqual([3, 0]);
    const png = await s.call('generate:save-image', { checkpoint, pin: { seed: 5, class: 3 } });
    expect(png.dataUrl).not.toBeNull();
    expect(path.basename(png.path)).toBe('seed5-class3-x4.png');

    await expect(s.call('generate:images', { checkpoint, seeds: [5], class: 99 })).rejects.toThrow(
      /Class 99 is out of range: this generator has 10 classes/,
    );
    await expect(s.call('generate:save-image', { checkpoint, pin: { seed: 5, class: 10 } })).rejects.toThrow(
      /Class 10 is out of range/,
    );
    await expect(s.call('generate:images', { checkpoint, seeds: [5], class: -1 })).rejects.toThrow(/class/);
    await expect(s.call('generate:images', { checkpoint, seeds: [5], class: 1.5 })).rejects.toThrow(/class/);
    await expect(s.call('generate:images', { checkpoint, seeds: [5, 6], classes: [1] })).rejects.toThrow(
      /one class per seed/,
    );
  });
});
