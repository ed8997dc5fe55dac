/**
 * importDataset: scan → cache lookup → decode (bounded concurrency) →
 * classes and labels → report → cache write.
 *
 * Classes: the first-level subfolders of the root that yield at least one
 * usable image become the classes, sorted by name (code-unit order, so the
 * same on every machine); images deeper down belong to their first-level
 * folder. When there are such class folders, images lying directly in the
 * root are NOT used (the torchvision ImageFolder / Keras convention): they are
 * listed in the report as skipped, so a stray preview.png never becomes a
 * class of its own. When there are no class folders, the root's images are
 * the data set, with classNames [] and every label 0.
 */
import { cacheFilePath, computeCacheKey, readCache, touchCache, writeCache } from './cache.js';
import { makeDataset } from './dataset.js';
import { decodeInto, describePreprocessing, SkipFile, type DecodedInfo } from './decode.js';
import { resolveOptions } from './options.js';
import { forEachLimited } from './pool.js';
import { ReportBuilder } from './report.js';
import { compareRelPaths, scanFolder } from './scan.js';
import { DatasetError, type Dataset, type ImportOptions, type SkippedFile } from './types.js';

const ROOT_FILE_REASON =
  'outside the class folders (images directly in the root are not used when it has class subfolders)';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function classOf(rel: string): string | null {
  const slash = rel.indexOf('/');
  return slash < 0 ? null : rel.slice(0, slash);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function importDataset(dir: string, opts: ImportOptions): Promise<Dataset> {
  const started = performance.now();
  if (typeof dir !== 'string' || dir.trim() === '') throw new DatasetError('No folder given');
  const o = resolveOptions(opts);
  o.signal?.throwIfAborted();

  const scan = await scanFolder(dir, {
    excludeDirs: o.cacheDir ? [o.cacheDir] : [],
    signal: o.signal,
    onProgress: (found) => o.onProgress({ phase: 'scan', done: found, total: found }),
  });
  const { root, files } = scan;
  o.onProgress({ phase: 'scan', done: files.length, total: files.length });
  if (files.length === 0 && scan.skipped.length === 0) {
    const hidden = scan.ignored > 0 ? ` (${plural(scan.ignored, 'hidden file')} or folders ignored)` : '';
    throw new DatasetError(`No images in ${root}: the folder is empty${hidden}`);
  }

  const cacheKey = computeCacheKey(scan, o);
  const warnings: string[] = [];
  const cacheFile = o.cacheDir && files.length > 0 ? cacheFilePath(o.cacheDir, root, cacheKey) : null;
  if (cacheFile) {
    o.onProgress({ phase: 'cache', done: 0, total: 1 });
    const cached = await readCache(cacheFile, cacheKey, o);
    if (cached.status === 'hit') {
      await touchCache(cacheFile);
      o.onProgress({ phase: 'cache', done: 1, total: 1 });
      const { data } = cached;
      return makeDataset({
        count: data.count,
        resolution: o.resolution,
        channels: o.channels,
        pixels: data.pixels,
        labels: data.labels,
        classNames: data.classNames,
        report: { ...data.report, root, durationMs: Math.round(performance.now() - started) },
        fromCache: true,
        cacheKey,
      });
    }
    if (cached.status === 'corrupt') warnings.push(`the cache file was unusable (${cached.reason}) and was rebuilt`);
  }

  // Decode every candidate into its slot of one preallocated buffer.
  const total = files.length;
  const per = o.resolution * o.resolution * o.channels;
  let pixels: Uint8Array;
  try {
    pixels = new Uint8Array(total * per);
  } catch {
    const gb = ((total * per) / 1e9).toFixed(1);
    throw new DatasetError(
      `Not enough memory for ${total} images at ${o.resolution}×${o.resolution}×${o.channels} (${gb} GB): use a lower resolution or fewer images`,
    );
  }
  const infos: (DecodedInfo | null)[] = new Array(total).fill(null);
  const reasons: (string | null)[] = new Array(total).fill(null);
  let done = 0;
  o.onProgress({ phase: 'decode', done: 0, total });
  await forEachLimited(
    total,
    o.concurrency,
    async (i) => {
      try {
        infos[i] = await decodeInto(files[i], o, pixels.subarray(i * per, (i + 1) * per));
      } catch (e) {
        // A bad file is skipped, whatever went wrong with it.
        reasons[i] = e instanceof SkipFile ? e.message : `could not decode: ${errorMessage(e)}`;
      }
      done++;
      o.onProgress({ phase: 'decode', done, total });
    },
    o.signal,
  );
  o.signal?.throwIfAborted();

  // Classes from the first-level folders that produced images.
  const classNames = [
    ...new Set(files.flatMap((f, i) => (infos[i] ? [classOf(f.rel)] : [])).filter((c): c is string => c !== null)),
  ].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const classIndex = new Map(classNames.map((c, i) => [c, i]));
  const classCounts = classNames.map(() => 0);
  const skipped: SkippedFile[] = [...scan.skipped];
  const labelList: number[] = [];
  const report = new ReportBuilder();
  let kept = 0;
  for (let i = 0; i < total; i++) {
    const info = infos[i];
    const rel = files[i].rel;
    if (!info) {
      skipped.push({ file: rel, reason: reasons[i] ?? 'could not decode' });
      continue;
    }
    let label = 0;
    if (classNames.length > 0) {
      const c = classOf(rel);
      if (c === null) {
        skipped.push({ file: rel, reason: ROOT_FILE_REASON });
        continue;
      }
      label = classIndex.get(c)!;
      classCounts[label]++;
    }
    if (kept !== i) pixels.copyWithin(kept * per, i * per, (i + 1) * per);
    labelList.push(label);
    report.addImage(info);
    kept++;
  }
  skipped.sort((a, b) => compareRelPaths(a.file, b.file));
  if (kept < total) {
    // Give back the unused tail when it is sizeable; a view is enough otherwise.
    pixels = kept < total * 0.9 ? pixels.slice(0, kept * per) : pixels.subarray(0, kept * per);
  }

  const fullReport = report.build({
    root,
    filesSeen: total + scan.skipped.length,
    ignored: scan.ignored,
    imported: kept,
    skipped,
    classNames,
    classCounts,
    preprocessing: describePreprocessing(o),
    warnings: [],
    durationMs: 0,
  });
  if (kept === 0) {
    const r = { ...fullReport, warnings, durationMs: Math.round(performance.now() - started) };
    throw new DatasetError(`No usable images in ${root}: ${plural(skipped.length, 'file')} skipped (see report)`, r);
  }
  const labels = Int32Array.from(labelList);

  if (cacheFile && o.cacheDir) {
    o.onProgress({ phase: 'cache', done: 0, total: 1 });
    try {
      await writeCache(o.cacheDir, root, cacheKey, o, { count: kept, classNames, labels, pixels, report: fullReport });
    } catch (e) {
      warnings.push(`could not write the cache in ${o.cacheDir}: ${errorMessage(e)}`);
    }
    o.onProgress({ phase: 'cache', done: 1, total: 1 });
  }

  return makeDataset({
    count: kept,
    resolution: o.resolution,
    channels: o.channels,
    pixels,
    labels,
    classNames,
    report: { ...fullReport, warnings, durationMs: Math.round(performance.now() - started) },
    fromCache: false,
    cacheKey,
  });
}
