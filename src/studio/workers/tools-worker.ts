// One file on purpose: the tools process's entry, one method table over its per-process dataset and generator caches.
/**
 * The tools process: dataset import and thumbnails, preprocessing previews,
 * generation, interpolation, GIF/PNG export and the web export. Everything
 * here is CPU-heavy or loads tfjs, so it runs beside the main/serve process,
 * never in it. Calls run concurrently (tfjs work interleaves at awaits).
 */
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { BackendsInfo, DatasetOptions, GeneratorMeta, PreviewItem, TaskKind } from '../../shared/contract';
import {
  BACKEND_PREFERENCE,
  DatasetError,
  checkClass,
  classOf,
  decodeInto,
  demoDatasetDir,
  encodeGif,
  exportForWeb,
  generateImages,
  hasImageExtension,
  importDataset,
  interpolationPath,
  latentsFileFor,
  loadDemoDataset,
  loadGenerator,
  pinLatent,
  probeBackends,
  resolveOptions,
  scanFolder,
  SkipFile,
  truncate,
  upscalePixels,
  activateBackend,
  writeFileAtomic,
  writeLatentsFile,
  writeSeedBatch,
  type Dataset,
  type LoadedGenerator,
  type ScannedFile,
  sampleNearest,
  trainingImagesOf,
  type TrainingImages,
} from '../../engine';
import { StudioError } from '../errors';
import { datasetId, serializeError, summarizeDataset, summarizeFailedImport } from '../datasets-common';
import type { UpscaleFilter } from '../../shared/upscale';
import { dataUrl, encodePng, pngDataUrl, resizePixels, upscale } from '../images';
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
  backendReady ??= activateBackend('auto');
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
    const opts = {
      ...options,
      signal: controller.signal,
      onProgress: (p: { phase: string; done: number; total: number }) => report(p.phase, p.done, p.total),
    };
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

/**
 * A pin's class: its own, else the call's, else 0. Null for an unconditional
 * generator (pins from a conditional run's latents file stay usable there).
 */
function pinClass(g: LoadedGenerator, pin: PinArg, fallback: number | null | undefined): number | null {
  if (g.numClasses === 0) return null;
  return checkClass(g, pin.class ?? fallback ?? 0);
}

/** Grids: the call's class for every image, or image i gets class i mod numClasses (the seed rule's classOf). */
function cycledClasses(g: LoadedGenerator, count: number, cls: number | null | undefined): number[] | null {
  const fixed = checkClass(g, cls);
  if (g.numClasses === 0) return null;
  return Array.from({ length: count }, (_, i) => classOf(i, g.numClasses, fixed)!);
}

function concat(vectors: Float32Array[], dim: number): Float32Array {
  const out = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => out.set(v, i * dim));
  return out;
}

/** The training images of the last checkpoints asked for nearest neighbours (importing them is the slow part). */
const trainingSets = new Map<string, Promise<TrainingImages>>();

function trainingSetFor(loc: CheckpointLocation, g: LoadedGenerator): Promise<TrainingImages> {
  let entry = trainingSets.get(loc.checkpointDir);
  if (!entry) {
    entry = trainingImagesOf(g);
    trainingSets.set(loc.checkpointDir, entry);
    entry.catch(() => trainingSets.delete(loc.checkpointDir)); // a moved data set may come back
    while (trainingSets.size > GENERATORS_KEPT) trainingSets.delete(trainingSets.keys().next().value!);
  }
  return entry;
}

/** What to draw: latents (truncated), each image's noise seed (the seed rule) and class. */
interface Drawing {
  z: Float32Array;
  noiseSeeds: number[];
  classes: number[] | null;
}

/**
 * Generated images as PNG buffers (and raw pixels), upscaled: crisp pixels
 * by our own replication (fast, and the same pixels as sharp's nearest
 * kernel that the CLI uses), smooth ones by the engine's Lanczos (sharp).
 */
async function render(
  g: LoadedGenerator,
  d: Drawing,
  scale: number,
  filter: UpscaleFilter = 'nearest',
): Promise<{ pngs: Buffer[]; pixels: Uint8Array[]; size: number }> {
  const batch = await generateImages(g, d.z, {
    classes: g.numClasses > 0 ? d.classes : null,
    noiseSeeds: d.noiseSeeds,
  });
  const per = batch.height * batch.width * batch.channels;
  const pngs: Buffer[] = [];
  const pixels: Uint8Array[] = [];
  for (let i = 0; i < batch.count; i++) {
    const src = batch.bytes.subarray(i * per, (i + 1) * per);
    const px =
      filter === 'nearest'
        ? upscale(src, batch.width, batch.height, batch.channels, scale)
        : await upscalePixels(src, batch.width, batch.height, batch.channels, scale, filter);
    pixels.push(px);
    pngs.push(encodePng(px, batch.width * scale, batch.height * scale, batch.channels as 1 | 3, 3));
  }
  return { pngs, pixels, size: batch.width * scale };
}

/** One pin's image: its latent, its seed's noise, its class. */
function pinDrawing(g: LoadedGenerator, pin: PinArg, truncation: number, cls: number | null | undefined): Drawing {
  const c = pinClass(g, pin, cls);
  return { z: truncate(pinLatent(g, pin), truncation), noiseSeeds: [pin.seed], classes: c === null ? null : [c] };
}

/** The frames of an interpolation through pins: slerp between latents; noise and class from the nearer pin (the seed rule). */
function interpolationDrawing(
  g: LoadedGenerator,
  pins: PinArg[],
  framesPerSegment: number,
  loop: boolean,
  truncation: number,
  cls: number | null | undefined,
): Drawing {
  checkClass(g, cls);
  const classes = pins.map((p) => pinClass(g, p, cls));
  const frames = interpolationPath(
    pins.map((p) => truncate(pinLatent(g, p), truncation)),
    framesPerSegment,
    loop,
  );
  return {
    z: concat(
      frames.map((f) => f.z),
      g.latentDim,
    ),
    noiseSeeds: frames.map((f) => pins[f.from].seed),
    classes: g.numClasses > 0 ? frames.map((f) => classes[f.from]!) : null,
  };
}

// ---------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------

const methods: { [M in ToolsMethod]: (args: Parameters<ToolsMethods[M]>[0]) => Promise<ReturnType<ToolsMethods[M]>> } =
  {
    async probeBackends(): Promise<BackendsInfo> {
      const backends = await probeBackends();
      const order = new Map(BACKEND_PREFERENCE.map((n, i) => [n, i]));
      backends.sort((a, b) => (order.get(a.name) ?? 9) - (order.get(b.name) ?? 9));
      return { backends, auto: backends.find((b) => b.available && b.auto)?.name ?? null };
    },

    async importDataset({ dir, options, taskId }) {
      try {
        const ds = await runImport(dir, options, taskId);
        return summarizeDataset(dir, options, ds);
      } catch (e) {
        // No usable image: answer with the report (why each file was skipped) rather than only the error line.
        if (e instanceof DatasetError && e.report) return summarizeFailedImport(dir, options, e.report, e.message);
        throw e;
      }
    },

    async thumbnails(args) {
      const ds = await datasetFor(args);
      const size = args.size ?? Math.min(ds.resolution, 96);
      const end = Math.min(ds.count, args.offset + args.limit);
      const per = ds.resolution * ds.resolution * ds.channels;
      const items: { index: number; label: number; dataUrl: string }[] = [];
      for (let i = args.offset; i < end; i++) {
        const px = resizePixels(
          ds.pixels.subarray(i * per, (i + 1) * per),
          ds.resolution,
          ds.resolution,
          ds.channels,
          size,
          size,
        );
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
          const shown = resizePixels(
            out,
            options.resolution,
            options.resolution,
            options.channels,
            displaySize,
            displaySize,
          );
          items.push({
            file: file.rel,
            width,
            height,
            original,
            processed: pngDataUrl(encodePng(shown, displaySize, displaySize, options.channels, 1)),
            error: null,
          });
        } catch (e) {
          items.push({
            file: file.rel,
            width,
            height,
            original,
            processed: '',
            error: e instanceof SkipFile ? e.message : serializeError(e).message,
          });
        }
      }
      progress(taskId, 'preview', 'decode', chosen.length, chosen.length);
      return { root: scan.root, totalFiles: images.length, items };
    },

    async sampleImage({ file, maxSize }) {
      let image = sharp(file);
      if (maxSize)
        image = image.resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' });
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
        if (perSeed.length !== seeds.length)
          throw new StudioError(`${perSeed.length} classes for ${seeds.length} seeds: give one class per seed.`);
        classes = perSeed.map((c) => checkClass(g, c)!);
        if (g.numClasses === 0) classes = null;
      } else {
        classes = cycledClasses(g, seeds.length, cls);
      }
      const z = concat(
        seeds.map((seed) => truncate(pinLatent(g, { seed }), truncation)),
        g.latentDim,
      );
      const { pngs, size } = await render(g, { z, noiseSeeds: seeds, classes }, scale);
      return {
        meta: metaOf(checkpoint, g),
        images: pngs.map((png, i) => ({ seed: seeds[i], class: classes?.[i] ?? null, dataUrl: pngDataUrl(png) })),
        size,
      };
    },

    async interpolate({ checkpoint, pins, framesPerSegment, loop, truncation, scale, class: cls }) {
      const g = await generatorFor(checkpoint);
      const { pngs, size } = await render(
        g,
        interpolationDrawing(g, pins, framesPerSegment, loop, truncation, cls),
        scale,
      );
      return { meta: metaOf(checkpoint, g), frames: pngs.map(pngDataUrl), size };
    },

    async saveImage({ checkpoint, pin, truncation, scale, filter, class: cls, file }) {
      const g = await generatorFor(checkpoint);
      checkClass(g, cls);
      const { pngs } = await render(g, pinDrawing(g, pin, truncation, cls), scale, filter);
      await writeFileAtomic(file, pngs[0]);
      return { path: file, dataUrl: pngDataUrl(pngs[0]), bytes: pngs[0].length };
    },

    async exportInterpolation(args) {
      const g = await generatorFor(args.checkpoint);
      const report = throttled(args.taskId, 'interpolation');
      const drawing = interpolationDrawing(g, args.pins, args.framesPerSegment, args.loop, args.truncation, args.class);
      const frames = drawing.noiseSeeds.length;
      report('render', 0, frames);
      const { pngs, pixels, size } = await render(g, drawing, args.scale, args.filter);
      if (args.format === 'png-sequence') {
        await mkdir(args.target, { recursive: true });
        for (let i = 0; i < pngs.length; i++) {
          await writeFileAtomic(path.join(args.target, `frame-${String(i).padStart(4, '0')}.png`), pngs[i]);
          report('write', i + 1, frames);
        }
        return { path: args.target, files: pngs.length };
      }
      const bytes = encodeGif(pixels, size, size, g.channels, { fps: args.fps }, (done) =>
        report('encode', done, frames),
      );
      await writeFileAtomic(args.target, bytes);
      return {
        path: args.target,
        dataUrl: bytes.length <= 32 * 1024 * 1024 ? dataUrl('image/gif', bytes) : null,
        bytes: bytes.length,
      };
    },

    async generateBatch({ checkpoint, count, seed, truncation, scale, filter, class: cls, dir, taskId }) {
      const g = await generatorFor(checkpoint);
      const report = throttled(taskId, 'generate');
      // The engine's batch writer: image k is seed + k, streamed to disk batch by batch.
      const result = await writeSeedBatch(g, {
        dir,
        seed,
        count,
        truncation,
        scale,
        filter,
        class: checkClass(g, cls),
        fileName: ({ seed: s, k, class: c, digits }) =>
          `seed${s}${c === null ? '' : `-class${c}`}-${String(k).padStart(digits, '0')}.png`,
        onProgress: (done, total) => report('write', done, total),
      });
      return { path: result.dir, files: result.files };
    },

    async nearestImages({ checkpoint, pin, truncation, class: cls, k, scale }) {
      const g = await generatorFor(checkpoint);
      const training = await trainingSetFor(checkpoint, g);
      const d = pinDrawing(g, pin, truncation, cls);
      const batch = await generateImages(g, d.z, { classes: d.classes, noiseSeeds: d.noiseSeeds });
      const side = batch.width;
      const found = await sampleNearest(
        { count: 1, size: side, channels: batch.channels, bytes: batch.bytes },
        training,
        k,
      );
      const per = side * side * batch.channels;
      const png = (bytes: Uint8Array) =>
        pngDataUrl(
          encodePng(
            upscale(bytes, side, side, batch.channels, scale),
            side * scale,
            side * scale,
            batch.channels as 1 | 3,
            3,
          ),
        );
      const neighbour = (nb: { index: number; distance: number }) => {
        const at = training.indices.indexOf(nb.index);
        return { ...nb, dataUrl: png(training.images.bytes.subarray(at * per, (at + 1) * per)) };
      };
      return {
        seed: pin.seed,
        sample: png(batch.bytes),
        features: found.features.map(neighbour),
        pixels: found.pixels.map(neighbour),
        size: side * scale,
        searched: training.images.count,
      };
    },

    async saveLatents({ checkpoint, pins, truncation, class: cls, file }) {
      const g = await generatorFor(checkpoint);
      checkClass(g, cls);
      const latentsFile = latentsFileFor(
        g,
        pins.map((p) => ({ ...p, class: pinClass(g, p, cls) })),
        truncation,
        { runId: checkpoint.runId, step: g.state.step },
      );
      const json = await writeLatentsFile(file, latentsFile);
      return {
        path: file,
        dataUrl: dataUrl('application/json', Buffer.from(json)),
        bytes: Buffer.byteLength(json),
        latents: latentsFile,
      };
    },

    async exportWeb({ checkpoint, dir, quantize, taskId }) {
      progress(taskId, 'export', 'load', 0, 3);
      const g = await generatorFor(checkpoint);
      progress(taskId, 'export', quantize ? 'quantize' : 'write', 1, 3);
      const info = await exportForWeb(g, dir, { quantize });
      progress(taskId, 'export', 'done', 3, 3);
      return {
        dir,
        files: (await readdir(dir)).filter((n) => !n.startsWith('.')).sort(),
        latentDim: info.latentDim,
        resolution: info.resolution,
        channels: info.channels,
        step: info.step,
        ema: info.ema,
        weightBytes: info.weightBytes,
        quantization: info.quantization,
        snippets: info.snippets,
        demo: info.demo,
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
    send({
      type: 'result',
      id: m.id,
      ok: false,
      error: { name: 'Error', message: `unknown tools method ${m.method}` },
    });
    return;
  }
  fn(m.args).then(
    (result) => send({ type: 'result', id: m.id, ok: true, result }),
    (e: unknown) => send({ type: 'result', id: m.id, ok: false, error: serializeError(e) }),
  );
});

send({ type: 'ready', pid: process.pid });
