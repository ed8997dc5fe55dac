/**
 * The tools process: dataset import and thumbnails, preprocessing previews,
 * generation, interpolation, GIF/PNG export and the web export. Everything
 * here is CPU-heavy or loads tfjs, so it runs beside the main/serve process,
 * never in it. Calls run concurrently (tfjs work interleaves at awaits).
 */
import gifenc from 'gifenc';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type {
  BackendsInfo,
  DatasetOptions,
  GeneratorMeta,
  LatentsFile,
  PreviewItem,
  TaskKind,
} from '../shared/contract';
import {
  BACKEND_PREFERENCE,
  decodeInto,
  demoDatasetDir,
  exportForWeb,
  generateImages,
  hasImageExtension,
  importDataset,
  latents,
  loadDemoDataset,
  loadGenerator,
  probeBackends,
  resolveOptions,
  scanFolder,
  SkipFile,
  useBackend,
  writeFileAtomic,
  type Dataset,
  type LoadedGenerator,
  type ScannedFile,
} from '../engine';
import { StudioError } from './errors';
import { datasetId, serializeError, summarizeDataset } from './datasets-common';
import { dataUrl, encodePng, interpolationPath, pngDataUrl, resizePixels, toRgba, upscale } from './images';
import type { CheckpointLocation, PinArg, ToolsMethod, ToolsMethods } from './tools-protocol';
import { connectToParent } from './worker-port';
import type { ToolsReply, ToolsRequest } from './worker-protocol';

const port = connectToParent();
const send = (m: ToolsReply): void => port.send(m);
port.onParentGone(() => process.exit(0));

const cancels = new Map<string, AbortController>();

function progress(taskId: string | undefined, kind: TaskKind, phase: string, done: number, total: number): void {
  if (taskId) send({ type: 'progress', progress: { taskId, kind, phase, done, total } });
}

/** Progress at most every 100 ms (and always the last one). */
function throttled(taskId: string | undefined, kind: TaskKind): (phase: string, done: number, total: number) => void {
  let last = 0;
  let lastPhase = '';
  return (phase, done, total) => {
    const now = Date.now();
    const final = done >= total && phase !== 'scan';
    if (phase === lastPhase && !final && now - last < 100) return;
    last = now;
    lastPhase = phase;
    progress(taskId, kind, phase, done, total);
  };
}

// ---------------------------------------------------------------------------
// tfjs backend (once)
// ---------------------------------------------------------------------------

let backendReady: Promise<unknown> | null = null;
function tfReady(): Promise<unknown> {
  backendReady ??= useBackend('auto');
  return backendReady;
}

// ---------------------------------------------------------------------------
// Datasets
// ---------------------------------------------------------------------------

const DATASETS_KEPT = 2;
const datasets = new Map<string, Dataset>();

function remember(id: string, ds: Dataset): void {
  datasets.delete(id);
  datasets.set(id, ds);
  while (datasets.size > DATASETS_KEPT) datasets.delete(datasets.keys().next().value!);
}

async function runImport(dir: string | null, options: DatasetOptions, taskId?: string): Promise<Dataset> {
  const controller = new AbortController();
  if (taskId) cancels.set(taskId, controller);
  const report = throttled(taskId, 'import');
  try {
    const opts = { ...options, signal: controller.signal, onProgress: (p: { phase: string; done: number; total: number }) => report(p.phase, p.done, p.total) };
    const ds = dir === null ? await loadDemoDataset(opts) : await importDataset(dir, opts);
    remember(datasetId(dir, options), ds);
    return ds;
  } finally {
    if (taskId) cancels.delete(taskId);
  }
}

async function datasetFor(loc: { datasetId: string; dir: string | null; options: DatasetOptions }): Promise<Dataset> {
  const ds = datasets.get(loc.datasetId);
  if (ds) return ds;
  // Not in memory (the worker restarted, or it was evicted): a cache hit brings it back fast.
  return runImport(loc.dir, loc.options);
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

const GENERATORS_KEPT = 2;
const generators = new Map<string, Promise<LoadedGenerator>>();

async function generatorFor(loc: CheckpointLocation): Promise<LoadedGenerator> {
  await tfReady();
  let entry = generators.get(loc.checkpointDir);
  if (!entry) {
    entry = loadGenerator(loc.checkpointDir);
    generators.set(loc.checkpointDir, entry);
    entry.catch(() => generators.delete(loc.checkpointDir));
    while (generators.size > GENERATORS_KEPT) {
      const [oldKey, old] = generators.entries().next().value!;
      generators.delete(oldKey);
      // Calls still using it finish first.
      setTimeout(() => void old.then((g) => g.model.dispose()).catch(() => undefined), 30_000).unref();
    }
  } else {
    generators.delete(loc.checkpointDir);
    generators.set(loc.checkpointDir, entry);
  }
  return entry;
}

function metaOf(loc: CheckpointLocation, g: LoadedGenerator): GeneratorMeta {
  return {
    runId: loc.runId,
    step: g.state.step,
    latentDim: g.latentDim,
    resolution: g.resolution,
    channels: g.channels,
    ema: g.ema,
    numClasses: g.numClasses,
    classNames: g.classNames,
    preset: g.config.preset,
  };
}

function zOf(pin: PinArg, g: LoadedGenerator): Float32Array {
  const dim = g.latentDim;
  if (pin.z) {
    if (pin.z.length !== dim) throw new StudioError(`A pinned latent has ${pin.z.length} numbers; this generator needs ${dim}.`);
    return Float32Array.from(pin.z);
  }
  return latents(pin.seed, 1, dim, g.latentDist);
}

/** The classes a generator takes, for error messages: "0 (zero), 1 (one), …" or "0 to K−1". */
function classList(g: LoadedGenerator): string {
  const k = g.numClasses;
  if (g.classNames.length >= k) return g.classNames.slice(0, k).map((n, i) => `${i} (${n})`).join(', ');
  return `0 to ${k - 1}`;
}

/** A class the caller asked for, checked against the generator: null when none was given. */
function checkClass(g: LoadedGenerator, c: number | null | undefined): number | null {
  if (c == null) return null;
  if (g.numClasses === 0) throw new StudioError(`This generator is not conditional: it takes no class (class ${c} was given).`);
  if (!(Number.isInteger(c) && c >= 0 && c < g.numClasses)) {
    throw new StudioError(`Class ${c} is out of range: this generator has ${g.numClasses} classes: ${classList(g)}.`);
  }
  return c;
}

/**
 * A pin's class: its own, else the call's, else 0. Null for an unconditional
 * generator (pins from a conditional run's latents file stay usable there).
 */
function pinClass(g: LoadedGenerator, pin: PinArg, fallback: number | null | undefined): number | null {
  if (g.numClasses === 0) return null;
  return checkClass(g, pin.class ?? fallback ?? 0);
}

/** Grids and batches: the call's class for every image, or image i gets class i mod numClasses. */
function cycledClasses(g: LoadedGenerator, count: number, cls: number | null | undefined, offset = 0): number[] | null {
  const fixed = checkClass(g, cls);
  if (g.numClasses === 0) return null;
  return Array.from({ length: count }, (_, i) => fixed ?? (offset + i) % g.numClasses);
}

/** The class of every frame of `interpolationPath`: a segment switches from its start pin's class to its end pin's halfway. */
function interpolationClasses(classes: (number | null)[], framesPerSegment: number, loop: boolean): number[] | null {
  if (classes.some((c) => c === null)) return null;
  const cs = classes as number[];
  const out: number[] = [];
  const segments = loop ? cs.length : cs.length - 1;
  for (let s = 0; s < segments; s++) {
    for (let k = 0; k < framesPerSegment; k++) out.push(k / framesPerSegment < 0.5 ? cs[s] : cs[(s + 1) % cs.length]);
  }
  if (!loop) out.push(cs[cs.length - 1]);
  return out;
}

function truncate(z: Float32Array, psi: number): Float32Array {
  if (psi === 1) return z;
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = z[i] * psi;
  return out;
}

function concat(vectors: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => out.set(v, i * dim));
  return out;
}

/** Generated images as PNG buffers (and raw pixels), upscaled. */
async function render(g: LoadedGenerator, z: Float32Array, scale: number, classes: number[] | null): Promise<{ pngs: Buffer[]; pixels: Uint8Array[]; size: number }> {
  const batch = await generateImages(g, z, { classes: g.numClasses > 0 ? classes : null });
  const per = batch.height * batch.width * batch.channels;
  const pngs: Buffer[] = [];
  const pixels: Uint8Array[] = [];
  for (let i = 0; i < batch.count; i++) {
    const px = upscale(batch.bytes.subarray(i * per, (i + 1) * per), batch.width, batch.height, batch.channels, scale);
    pixels.push(px);
    pngs.push(encodePng(px, batch.width * scale, batch.height * scale, batch.channels as 1 | 3, 3));
  }
  return { pngs, pixels, size: batch.width * scale };
}

function interpolationLatents(g: LoadedGenerator, pins: PinArg[], framesPerSegment: number, loop: boolean, truncation: number): Float32Array {
  const points = pins.map((p) => truncate(zOf(p, g), truncation));
  return concat(interpolationPath(points, framesPerSegment, loop), g.latentDim);
}

// ---------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------

const methods: { [M in ToolsMethod]: (args: Parameters<ToolsMethods[M]>[0]) => Promise<ReturnType<ToolsMethods[M]>> } = {
  async probeBackends(): Promise<BackendsInfo> {
    const backends = await probeBackends();
    const order = new Map(BACKEND_PREFERENCE.map((n, i) => [n, i]));
    backends.sort((a, b) => (order.get(a.name) ?? 9) - (order.get(b.name) ?? 9));
    return { backends, auto: backends.find((b) => b.available)?.name ?? null };
  },

  async importDataset({ dir, options, taskId }) {
    const ds = await runImport(dir, options, taskId);
    return summarizeDataset(dir, options, ds);
  },

  async thumbnails(args) {
    const ds = await datasetFor(args);
    const size = args.size ?? Math.min(ds.resolution, 96);
    const end = Math.min(ds.count, args.offset + args.limit);
    const per = ds.resolution * ds.resolution * ds.channels;
    const items: { index: number; label: number; dataUrl: string }[] = [];
    for (let i = args.offset; i < end; i++) {
      const px = resizePixels(ds.pixels.subarray(i * per, (i + 1) * per), ds.resolution, ds.resolution, ds.channels, size, size);
      items.push({ index: i, label: ds.labels[i], dataUrl: pngDataUrl(encodePng(px, size, size, ds.channels, 1)) });
    }
    return { datasetId: args.datasetId, total: ds.count, offset: args.offset, items, size };
  },

  async skipped(args) {
    const ds = await datasetFor(args);
    const all = ds.report.skipped;
    return { total: all.length, items: all.slice(args.offset, args.offset + args.limit) };
  },

  async preview({ dir, options, count, files, displaySize, taskId }) {
    const root = dir ?? demoDatasetDir();
    const scan = await scanFolder(root);
    const images = scan.files.filter((f) => hasImageExtension(f.rel));
    const pool = images.length > 0 ? images : scan.files;
    let chosen: ScannedFile[];
    if (files && files.length > 0) {
      const byRel = new Map(scan.files.map((f) => [f.rel, f]));
      chosen = files.map((f) => byRel.get(f)).filter((f): f is ScannedFile => f !== undefined);
    } else {
      const n = Math.min(count, pool.length);
      chosen = Array.from({ length: n }, (_, i) => pool[Math.floor((i * pool.length) / n)]);
    }
    const resolved = resolveOptions({ ...options, cache: false });
    const items: PreviewItem[] = [];
    for (const [k, file] of chosen.entries()) {
      progress(taskId, 'preview', 'decode', k, chosen.length);
      let original = '';
      let width = 0;
      let height = 0;
      try {
        const { data, info } = await sharp(file.abs, { pages: 1, failOn: 'error' })
          .autoOrient()
          .resize(displaySize, displaySize, { fit: 'inside', withoutEnlargement: false })
          .png()
          .toBuffer({ resolveWithObject: true });
        original = pngDataUrl(data);
        const meta = await sharp(file.abs, { pages: 1 }).metadata();
        width = meta.autoOrient?.width ?? meta.width ?? info.width;
        height = meta.autoOrient?.height ?? meta.height ?? info.height;
      } catch {
        // decodeInto below names the problem
      }
      const out = new Uint8Array(options.resolution * options.resolution * options.channels);
      try {
        const info = await decodeInto(file, resolved, out);
        width = info.width;
        height = info.height;
        const shown = resizePixels(out, options.resolution, options.resolution, options.channels, displaySize, displaySize);
        items.push({ file: file.rel, width, height, original, processed: pngDataUrl(encodePng(shown, displaySize, displaySize, options.channels, 1)), error: null });
      } catch (e) {
        items.push({ file: file.rel, width, height, original, processed: '', error: e instanceof SkipFile ? e.message : serializeError(e).message });
      }
    }
    progress(taskId, 'preview', 'decode', chosen.length, chosen.length);
    return { root: scan.root, totalFiles: images.length, items };
  },

  async sampleImage({ file, maxSize }) {
    let image = sharp(file);
    if (maxSize) image = image.resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' });
    const { data, info } = await image.png().toBuffer({ resolveWithObject: true });
    return { dataUrl: pngDataUrl(data), width: info.width, height: info.height };
  },

  async loadGenerator({ checkpoint }) {
    return metaOf(checkpoint, await generatorFor(checkpoint));
  },

  async generateImages({ checkpoint, seeds, truncation, scale, class: cls, classes: perSeed }) {
    const g = await generatorFor(checkpoint);
    let classes: number[] | null;
    if (perSeed) {
      if (perSeed.length !== seeds.length) throw new StudioError(`${perSeed.length} classes for ${seeds.length} seeds: give one class per seed.`);
      classes = perSeed.map((c) => checkClass(g, c)!);
      if (g.numClasses === 0) classes = null;
    } else {
      classes = cycledClasses(g, seeds.length, cls);
    }
    const z = concat(seeds.map((seed) => truncate(latents(seed, 1, g.latentDim, g.latentDist), truncation)), g.latentDim);
    const { pngs, size } = await render(g, z, scale, classes);
    return { meta: metaOf(checkpoint, g), images: pngs.map((png, i) => ({ seed: seeds[i], class: classes?.[i] ?? null, dataUrl: pngDataUrl(png) })), size };
  },

  async interpolate({ checkpoint, pins, framesPerSegment, loop, truncation, scale, class: cls }) {
    const g = await generatorFor(checkpoint);
    checkClass(g, cls);
    const classes = interpolationClasses(pins.map((p) => pinClass(g, p, cls)), framesPerSegment, loop);
    const { pngs, size } = await render(g, interpolationLatents(g, pins, framesPerSegment, loop, truncation), scale, classes);
    return { meta: metaOf(checkpoint, g), frames: pngs.map(pngDataUrl), size };
  },

  async saveImage({ checkpoint, pin, truncation, scale, class: cls, file }) {
    const g = await generatorFor(checkpoint);
    checkClass(g, cls);
    const c = pinClass(g, pin, cls);
    const { pngs } = await render(g, truncate(zOf(pin, g), truncation), scale, c === null ? null : [c]);
    await writeFileAtomic(file, pngs[0]);
    return { path: file, dataUrl: pngDataUrl(pngs[0]), bytes: pngs[0].length };
  },

  async exportInterpolation(args) {
    const g = await generatorFor(args.checkpoint);
    const report = throttled(args.taskId, 'interpolation');
    checkClass(g, args.class);
    const classes = interpolationClasses(args.pins.map((p) => pinClass(g, p, args.class)), args.framesPerSegment, args.loop);
    const z = interpolationLatents(g, args.pins, args.framesPerSegment, args.loop, args.truncation);
    const frames = z.length / g.latentDim;
    report('render', 0, frames);
    const { pngs, pixels, size } = await render(g, z, args.scale, classes);
    if (args.format === 'png-sequence') {
      await mkdir(args.target, { recursive: true });
      for (let i = 0; i < pngs.length; i++) {
        await writeFileAtomic(path.join(args.target, `frame-${String(i).padStart(4, '0')}.png`), pngs[i]);
        report('write', i + 1, frames);
      }
      return { path: args.target, files: pngs.length };
    }
    const gif = gifenc.GIFEncoder();
    const delay = Math.round(1000 / args.fps);
    for (let i = 0; i < pixels.length; i++) {
      const rgba = toRgba(pixels[i], g.channels);
      const palette = gifenc.quantize(rgba, 256, { format: 'rgb565' });
      gif.writeFrame(gifenc.applyPalette(rgba, palette, 'rgb565'), size, size, { palette, delay, repeat: 0 });
      report('encode', i + 1, frames);
    }
    gif.finish();
    const bytes = gif.bytes();
    await writeFileAtomic(args.target, bytes);
    return { path: args.target, dataUrl: bytes.length <= 32 * 1024 * 1024 ? dataUrl('image/gif', bytes) : null, bytes: bytes.length };
  },

  async generateBatch({ checkpoint, count, seed, truncation, scale, class: cls, dir, taskId }) {
    const g = await generatorFor(checkpoint);
    checkClass(g, cls);
    const report = throttled(taskId, 'generate');
    await mkdir(dir, { recursive: true });
    const digits = Math.max(4, String(count - 1).length);
    const CHUNK = 64;
    report('write', 0, count);
    for (let start = 0; start < count; start += CHUNK) {
      const n = Math.min(CHUNK, count - start);
      const z = concat(Array.from({ length: n }, (_, k) => truncate(latents(seed + start + k, 1, g.latentDim, g.latentDist), truncation)), g.latentDim);
      const classes = cycledClasses(g, n, cls, start);
      const { pngs } = await render(g, z, scale, classes);
      for (let k = 0; k < n; k++) {
        const tag = classes ? `-class${classes[k]}` : '';
        await writeFileAtomic(path.join(dir, `seed${seed + start + k}${tag}-${String(start + k).padStart(digits, '0')}.png`), pngs[k]);
      }
      report('write', start + n, count);
    }
    return { path: dir, files: count };
  },

  async saveLatents({ checkpoint, pins, truncation, class: cls, file }) {
    const g = await generatorFor(checkpoint);
    checkClass(g, cls);
    const latentsFile: LatentsFile = {
      format: 'gan-studio-latents',
      version: 1,
      latentDim: g.latentDim,
      truncation,
      checkpoint: { runId: checkpoint.runId, step: g.state.step },
      pins: pins.map((p) => {
        const c = pinClass(g, p, cls);
        return c === null ? { seed: p.seed, z: Array.from(zOf(p, g)) } : { seed: p.seed, z: Array.from(zOf(p, g)), class: c };
      }),
      savedAt: new Date().toISOString(),
    };
    const json = JSON.stringify(latentsFile, null, 2);
    await writeFileAtomic(file, json);
    return { path: file, dataUrl: dataUrl('application/json', Buffer.from(json)), bytes: Buffer.byteLength(json), latents: latentsFile };
  },

  async exportWeb({ checkpoint, dir, taskId }) {
    progress(taskId, 'export', 'load', 0, 3);
    const g = await generatorFor(checkpoint);
    progress(taskId, 'export', 'write', 1, 3);
    const info = await exportForWeb(g, dir);
    progress(taskId, 'export', 'done', 3, 3);
    return {
      dir,
      files: (await readdir(dir)).filter((n) => !n.startsWith('.')).sort(),
      latentDim: info.latentDim,
      resolution: info.resolution,
      channels: info.channels,
      step: info.step,
      ema: info.ema,
    };
  },
};

port.onMessage((raw) => {
  const m = raw as ToolsRequest;
  if (m.type === 'cancel') {
    cancels.get(m.taskId)?.abort(new StudioError('Import cancelled.'));
    return;
  }
  if (m.type !== 'call') return;
  const fn = methods[m.method as ToolsMethod] as ((args: unknown) => Promise<unknown>) | undefined;
  if (!fn) {
    send({ type: 'result', id: m.id, ok: false, error: { name: 'Error', message: `unknown tools method ${m.method}` } });
    return;
  }
  fn(m.args).then(
    (result) => send({ type: 'result', id: m.id, ok: true, result }),
    (e: unknown) => send({ type: 'result', id: m.id, ok: false, error: serializeError(e) }),
  );
});

send({ type: 'ready', pid: process.pid });
