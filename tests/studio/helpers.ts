/** Helpers for the studio tests: a backend with real worker processes in temp folders. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type {
  AppInfo,
  IpcEventChannel,
  IpcEventPayload,
  IpcInvokeChannel,
  IpcInvokeResult,
  TrainingEvent,
} from '../../src/shared/contract';
import { StudioBackend, type StudioBackendOptions } from '../../src/studio/backend';
import { forkLauncher } from '../../src/studio/workers/worker-process';
import { tempDir } from '../helpers/temp';

export const TEST_APP_INFO: AppInfo = {
  name: 'GAN Studio',
  version: 'test',
  versions: { node: process.versions.node, electron: '', chrome: '', v8: process.versions.v8 },
  platform: process.platform,
  arch: process.arch,
  packaged: false,
};

export interface TestStudio {
  backend: StudioBackend;
  root: string;
  runsRoot: string;
  events: Array<{ channel: IpcEventChannel; payload: unknown }>;
  call<C extends IpcInvokeChannel>(channel: C, ...args: unknown[]): Promise<IpcInvokeResult<C>>;
  /** Resolves with the first event (already seen after `since`, or coming) that matches. */
  waitFor<E extends IpcEventChannel>(
    channel: E,
    match: (p: IpcEventPayload<E>) => boolean,
    timeoutMs?: number,
    since?: number,
  ): Promise<IpcEventPayload<E>>;
  trainingEvent<T extends TrainingEvent['type']>(
    type: T,
    match?: (e: Extract<TrainingEvent, { type: T }>) => boolean,
    timeoutMs?: number,
    since?: number,
  ): Promise<Extract<TrainingEvent, { type: T }>>;
  mark(): number;
}

export async function makeStudio(
  mode: 'browser' | 'electron' = 'browser',
  extra: Pick<StudioBackendOptions, 'follow'> = {},
): Promise<TestStudio> {
  const root = await tempDir('gan-studio-studio-');
  const runsRoot = path.join(root, 'runs');
  const backend = new StudioBackend({
    runsRoot,
    workerEnv: { GAN_STUDIO_CACHE: path.join(root, 'cache') },
    host: {
      mode,
      appInfo: () => TEST_APP_INFO,
      launcher: forkLauncher,
      ...(mode === 'electron' ? { pickFolder: async () => null, openPath: async () => true } : {}),
    },
    ...extra,
  });
  const events: TestStudio['events'] = [];
  const waiters = new Set<() => void>();
  backend.on((channel, payload) => {
    events.push({ channel, payload });
    for (const w of [...waiters]) w();
  });
  const waitFor: TestStudio['waitFor'] = (channel, match, timeoutMs = 60_000, since = 0) =>
    new Promise((resolve, reject) => {
      const check = () => {
        for (let i = since; i < events.length; i++) {
          const e = events[i];
          if (e.channel === channel && match(e.payload as never)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(e.payload as never);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        const seen = events.filter((e) => e.channel === 'training:event').map((e) => (e.payload as TrainingEvent).type);
        reject(new Error(`timed out waiting for ${channel} (training events seen: ${seen.join(', ')})`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    backend,
    root,
    runsRoot,
    events,
    call: (channel, ...args) => backend.invoke(channel, args) as never,
    waitFor,
    trainingEvent: (type, match = () => true, timeoutMs, since) =>
      waitFor('training:event', (e) => e.type === type && match(e as never), timeoutMs, since) as never,
    mark: () => events.length,
  };
}

/** A small folder of images: `count` coloured squares in two class folders, plus broken files. */
export async function makeImageFolder(root: string, count = 12): Promise<string> {
  const dir = path.join(root, 'images');
  for (const cls of ['cats', 'dogs']) await mkdir(path.join(dir, cls), { recursive: true });
  for (let i = 0; i < count; i++) {
    const cls = i % 2 ? 'dogs' : 'cats';
    await sharp({
      create: { width: 40 + i, height: 32, channels: 3, background: { r: (i * 40) % 256, g: 90, b: 200 - i * 10 } },
    })
      .png()
      .toFile(path.join(dir, cls, `img-${i}.png`));
  }
  await writeFile(path.join(dir, 'cats', 'empty.png'), '');
  await writeFile(path.join(dir, 'dogs', 'notes.txt'), 'not an image');
  return dir;
}

/** Options for a tiny, fast training run on the demo data. */
export function tinyConfig(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    preset: 'dcgan-28',
    backend: 'wasm',
    // One thread: on these tiny layers a thread pool's per-op hand-offs cost more than
    // they give, badly so on a loaded 2-core machine (the default is every physical core).
    threads: 1,
    steps: 400,
    batchSize: 16,
    sampleEvery: 10,
    checkpointEvery: 10,
    gridSize: 2,
    model: { arch: 'dcgan-dense', resolution: 28, channels: 1, latentDim: 16, baseWidth: 8 },
    // Metrics cost an evaluation at the start and the end of every run; tests/engine/metrics covers them.
    metrics: { enabled: false },
    ...over,
  };
}

export const DEMO_OPTIONS = { resolution: 28, channels: 1, resize: 'crop', background: '#ffffff', minSize: 8 } as const;
