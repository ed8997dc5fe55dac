/**
 * The data sets the studio has imported: remembered in the runs root
 * (`.studio/datasets.json`, newest last, at most DATASETS_KEPT) so they are
 * listed again after a restart, and so their folders stay allowed (the user
 * chose them when importing).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetOptions, DatasetSummary } from '../shared/contract';
import { writeFileAtomic } from '../engine/light';
import { StudioError } from './errors';
import type { PathGuard } from './paths';

interface RememberedDataset {
  dir: string | null;
  summary: DatasetSummary;
}

/** What the tools worker needs to find an imported data set again. */
export interface DatasetLocation {
  datasetId: string;
  dir: string | null;
  options: DatasetOptions;
}

const STATE_DIR = '.studio';
const DATASETS_FILE = 'datasets.json';
const DATASETS_KEPT = 30;
/** Skipped files kept per remembered summary (the full report stays in the cache). */
const SKIPPED_KEPT = 50;

export class DatasetRegistry {
  private readonly datasets = new Map<string, RememberedDataset>();
  private loaded: Promise<void> | null = null;

  constructor(
    private readonly runsRoot: string,
    private readonly paths: PathGuard,
  ) {}

  /** Reads the remembered list once and grants its folders again. */
  async load(): Promise<void> {
    this.loaded ??= (async () => {
      try {
        const list = JSON.parse(await readFile(this.file(), 'utf8')) as RememberedDataset[];
        for (const d of list) {
          if (!d?.summary?.id) continue;
          this.datasets.set(d.summary.id, d);
          // Folders imported before were chosen by the user then.
          if (d.dir) await this.paths.grant(d.dir, 'dataset');
        }
      } catch {
        // none yet
      }
    })();
    return this.loaded;
  }

  /** Newest first. */
  async list(): Promise<DatasetSummary[]> {
    await this.load();
    return [...this.datasets.values()].map((d) => d.summary).reverse();
  }

  async remember(summary: DatasetSummary): Promise<void> {
    await this.load();
    this.datasets.delete(summary.id);
    this.datasets.set(summary.id, {
      dir: summary.dir,
      summary: { ...summary, skipped: summary.skipped.slice(0, SKIPPED_KEPT) },
    });
    const list = [...this.datasets.values()].slice(-DATASETS_KEPT);
    // Losing the list only costs a re-import: never fail the import for it.
    await writeFileAtomic(this.file(), JSON.stringify(list, null, 2)).catch(() => undefined);
  }

  async location(id: string): Promise<DatasetLocation> {
    await this.load();
    const d = this.datasets.get(id);
    if (!d) throw new StudioError('Unknown data set: import it first.');
    return { datasetId: id, dir: d.dir, options: d.summary.options };
  }

  private file(): string {
    return path.join(this.runsRoot, STATE_DIR, DATASETS_FILE);
  }
}
