/**
 * Disk cache of a data set's features in a metrics feature net, for the
 * memorization check: finding a sample's nearest training images (Generate's
 * click, `gan-studio nearest`) and the copying score need every training
 * image's features, which cost far more than the sample's own. One file per
 * (content key of the images, feature seed):
 *
 *   magic "GANSFTR\0" | u32 header length | header JSON | zero padding to 4 |
 *   features (float32, count × dim, row-major) | u32 CRC-32 of all before
 *
 * The content key hashes the pixels as training sees them (run/data-key.ts),
 * so new, changed or re-preprocessed images miss, and so does another seed;
 * the header repeats both and the net's geometry, and a file that fails any
 * check is computed again. Written atomically (temp + rename). The features
 * are the net's raw outputs; the backend that computed them may differ from
 * the reader's by float rounding (about 1e-6 relative), far below what a
 * nearest-image ranking can see.
 */
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { defaultCacheDir } from '../dataset';
import { writeFileAtomic } from '../io/atomic';
import { dataContentKey } from '../run/data-key';
import type { TrainingData } from '../train/session';
import { featureNet, imageFeatures, type FeatureNet } from './features';
import { imagesOf } from './holdout';

/** Bump when the feature net or the file layout changes. */
const FEATURE_CACHE_FORMAT = 1;
const MAGIC = Buffer.from('GANSFTR\0', 'latin1');
/** Feature files kept in all (newest used first); each is count × dim × 4 bytes. */
const KEEP_FILES = 8;

export interface FeatureCacheOptions {
  /** Folder for the files. Default: `features` beside the dataset cache ($GAN_STUDIO_CACHE or ~/.cache/gan-studio). */
  dir?: string;
  /** false: neither read nor write (default true). */
  cache?: boolean;
}

export interface DatasetFeatures {
  net: FeatureNet;
  /** [data.count, net.dim], raw (not standardised), in the data set's order. */
  features: Float32Array;
  /** Where they were read from or written to; null when not cached. */
  file: string | null;
  fromCache: boolean;
  /** The content key the file is named by. */
  contentKey: string;
}

interface Header {
  format: number;
  contentKey: string;
  seed: number;
  size: number;
  channels: number;
  count: number;
  dim: number;
}

/** The default folder: `features` beside the dataset cache's `datasets`. */
function defaultFeatureCacheDir(): string {
  return path.join(path.dirname(defaultCacheDir()), 'features');
}

/** Features of every image of `data` in the net of `seed`: from the cache when it holds them, else computed and stored. */
export async function datasetFeatures(
  data: TrainingData & { pixels?: Uint8Array },
  shape: { resolution: number; channels: 1 | 3 },
  seed: number,
  options: FeatureCacheOptions = {},
): Promise<DatasetFeatures> {
  const { resolution, channels } = shape;
  const net = featureNet(seed, resolution, channels);
  const contentKey = dataContentKey(data, shape);
  const want: Header = {
    format: FEATURE_CACHE_FORMAT,
    contentKey,
    seed,
    size: resolution,
    channels,
    count: data.count,
    dim: net.dim,
  };
  const useCache = options.cache !== false;
  const dir = options.dir ?? defaultFeatureCacheDir();
  const file = path.join(dir, `${contentKey}-seed${seed}.gsft`);
  if (useCache) {
    const hit = await readFeatures(file, want);
    if (hit) return { net, features: hit, file, fromCache: true, contentKey };
  }
  const all = Array.from({ length: data.count }, (_, i) => i);
  const features = await imageFeatures(
    net,
    data.pixels
      ? { count: data.count, size: resolution, channels, bytes: data.pixels }
      : imagesOf(data, all, resolution, channels),
  );
  if (!useCache) return { net, features, file: null, fromCache: false, contentKey };
  try {
    await writeFileAtomic(file, encode(want, features));
    await prune(dir);
    return { net, features, file, fromCache: false, contentKey };
  } catch {
    // a read-only or full disk costs the next search its time, nothing else
    return { net, features, file: null, fromCache: false, contentKey };
  }
}

function encode(header: Header, features: Float32Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const at = align4(MAGIC.length + 4 + json.length);
  const out = Buffer.alloc(at + features.byteLength + 4);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  Buffer.from(features.buffer, features.byteOffset, features.byteLength).copy(out, at);
  out.writeUInt32LE(zlib.crc32(out.subarray(0, out.length - 4)) >>> 0, out.length - 4);
  return out;
}

/** The features of a valid file made for `want`; null when missing, for other images or seed, or damaged. */
async function readFeatures(file: string, want: Header): Promise<Float32Array | null> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return null;
  }
  if (buf.length < MAGIC.length + 8 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const headerLen = buf.readUInt32LE(MAGIC.length);
  if (MAGIC.length + 4 + headerLen > buf.length) return null;
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(MAGIC.length + 4, MAGIC.length + 4 + headerLen).toString('utf8')) as Header;
  } catch {
    return null;
  }
  const keys = Object.keys(want) as (keyof Header)[];
  if (keys.some((k) => header[k] !== want[k])) return null;
  const at = align4(MAGIC.length + 4 + headerLen);
  const bytes = want.count * want.dim * 4;
  if (buf.length !== at + bytes + 4) return null;
  if (zlib.crc32(buf.subarray(0, buf.length - 4)) >>> 0 !== buf.readUInt32LE(buf.length - 4)) return null;
  const out = new Float32Array(want.count * want.dim);
  new Uint8Array(out.buffer).set(buf.subarray(at, at + bytes));
  const now = new Date();
  await utimes(file, now, now).catch(() => {}); // recently used: pruning keeps it
  return out;
}

/** Keep the KEEP_FILES most recently used feature files; drop temp files older than an hour. */
async function prune(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const entries = await Promise.all(
    names.map(async (name) => ({ name, st: await stat(path.join(dir, name)).catch(() => null) })),
  );
  const hourAgo = Date.now() - 3600_000;
  for (const e of entries)
    if (e.st && e.name.includes('.tmp') && e.st.mtimeMs < hourAgo) await rm(path.join(dir, e.name), { force: true });
  const files = entries.filter((e) => e.st && e.name.endsWith('.gsft')).sort((a, b) => b.st!.mtimeMs - a.st!.mtimeMs);
  for (const e of files.slice(KEEP_FILES)) await rm(path.join(dir, e.name), { force: true }).catch(() => {});
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
