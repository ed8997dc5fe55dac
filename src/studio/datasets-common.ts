/** Dataset helpers shared by the backend and the workers (no tfjs). */
import { createHash } from 'node:crypto';
import type { TrainConfig } from '../shared/config';
import type { DatasetOptions, DatasetSummary } from '../shared/contract';
import { UserError, type Dataset, type ImportReport } from '../engine/light';

/** How many skipped files a summary carries inline. */
const SUMMARY_SKIPPED = 200;

/** A stable handle for a folder imported with given options. */
export function datasetId(dir: string | null, options: DatasetOptions): string {
  const key = JSON.stringify([
    dir ?? '(demo)',
    options.resolution,
    options.channels,
    options.resize,
    options.background.toLowerCase(),
    options.minSize,
  ]);
  return `ds-${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}

export function datasetOptionsOf(config: TrainConfig): DatasetOptions {
  return {
    resolution: config.model.resolution,
    channels: config.model.channels,
    resize: config.data.resize,
    background: config.data.background,
    minSize: config.data.minSize,
  };
}

export function summarizeDataset(dir: string | null, options: DatasetOptions, dataset: Dataset): DatasetSummary {
  const r = dataset.report;
  return {
    id: datasetId(dir, options),
    dir,
    root: r.root,
    options,
    count: dataset.count,
    filesSeen: r.filesSeen,
    ignored: r.ignored,
    skippedCount: r.skipped.length,
    skipped: r.skipped.slice(0, SUMMARY_SKIPPED),
    classNames: dataset.classNames,
    classCounts: r.classCounts,
    sourceSizes: r.sourceSizes,
    sourceChannels: r.sourceChannels,
    formats: r.formats,
    preprocessing: r.preprocessing,
    warnings: r.warnings,
    fromCache: dataset.fromCache,
    durationMs: r.durationMs,
    importedAt: new Date().toISOString(),
  };
}

/** The summary of an import that found no usable image: count 0, its error, and the report that says why. */
export function summarizeFailedImport(
  dir: string | null,
  options: DatasetOptions,
  report: ImportReport,
  error: string,
): DatasetSummary {
  return {
    id: datasetId(dir, options),
    dir,
    root: report.root,
    options,
    count: 0,
    filesSeen: report.filesSeen,
    ignored: report.ignored,
    skippedCount: report.skipped.length,
    skipped: report.skipped.slice(0, SUMMARY_SKIPPED),
    classNames: report.classNames,
    classCounts: report.classCounts,
    sourceSizes: report.sourceSizes,
    sourceChannels: report.sourceChannels,
    formats: report.formats,
    preprocessing: report.preprocessing,
    warnings: report.warnings,
    fromCache: false,
    durationMs: report.durationMs,
    importedAt: new Date().toISOString(),
    error,
  };
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An error as it crosses a process boundary: its name and first line. */
export function serializeError(e: unknown): { name: string; message: string } {
  const err = e instanceof Error ? e : new Error(String(e));
  // AbortError comes from the platform (DOMException), not from us: it is told apart by name.
  const expected = err instanceof UserError || err.name === 'AbortError';
  const line = (err.message.split('\n').find((l) => l.trim() !== '') ?? err.message).trim();
  return { name: err.name, message: expected ? line : `Internal error: ${line}` };
}
