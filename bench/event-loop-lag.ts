/**
 * Event-loop lag of the serve process while a dcgan-64 run trains.
 *
 *   npx tsx bench/event-loop-lag.ts [--seconds 60] [--backend auto]
 *
 * Starts the `gan-studio serve` server (backend + WebSocket) in this process,
 * connects a WebSocket client the way the browser UI does, starts a dcgan-64
 * run on the demo data through the training worker, and while it trains polls
 * what the Train view polls (state, stats since the last step, runs list,
 * newest sample). perf_hooks.monitorEventLoopDelay samples this process's
 * event loop the whole time; the target is p99 < 20 ms.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startStudioServer } from '../src/server';
import { defaultRendererDir } from '../src/server/renderer-build';
import type { TrainingEvent } from '../src/shared/contract';
import { arg } from './args';

const seconds = Number(arg('seconds', '60'));
const backendName = arg('backend', 'auto');

const root = await mkdtemp(path.join(os.tmpdir(), 'gan-lag-'));
const server = await startStudioServer({
  runsRoot: path.join(root, 'runs'),
  rendererDir: defaultRendererDir(),
  workerEnv: { GAN_STUDIO_CACHE: process.env.GAN_STUDIO_CACHE ?? path.join(root, 'cache') },
});

// A client like the page: every event arrives here too.
const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?token=${server.token}`, { origin: server.origin });
let nextId = 1;
const pending = new Map<number, (v: unknown) => void>();
let steps = 0;
let lastStep = 0;
let samples = 0;
let runId: string | null = null;
let trainingStarted: () => void = () => {};
const started = new Promise<void>((r) => (trainingStarted = r));
let failure: string | null = null;

ws.on('message', (data) => {
  const m = JSON.parse(String(data)) as {
    type: string;
    id?: number;
    ok?: boolean;
    result?: unknown;
    error?: { message: string };
    event?: string;
    payload?: unknown;
  };
  if (m.type === 'result' && m.id !== undefined) {
    pending.get(m.id)?.(m.ok ? m.result : Promise.reject(new Error(m.error!.message)));
    pending.delete(m.id);
  } else if (m.type === 'event' && m.event === 'training:event') {
    const e = m.payload as TrainingEvent;
    if (e.type === 'started') {
      runId = e.runId;
      trainingStarted();
    } else if (e.type === 'steps') {
      steps += e.stats.length;
      lastStep = e.stats[e.stats.length - 1].step;
    } else if (e.type === 'sample') samples++;
    else if (e.type === 'error' || e.type === 'died') {
      failure = e.type === 'error' ? e.message : e.reason;
      trainingStarted();
    }
  }
});
await new Promise<void>((r) => ws.once('open', () => r()));
const call = (channel: string, ...args: unknown[]): Promise<unknown> =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ type: 'invoke', id, channel, args }));
  });

const resolved = (await call('config:resolve', {
  preset: 'dcgan-64',
  config: { backend: backendName, steps: 100_000, sampleEvery: 5, checkpointEvery: 20, name: 'lag' },
})) as { ok: boolean; config: unknown; error?: string };
if (!resolved.ok) throw new Error(resolved.error);
process.stderr.write('starting a dcgan-64 run on the demo data (import at 64×64×3 first)…\n');
await call('training:start', { config: resolved.config });
await started;
if (failure) throw new Error(`training failed: ${failure}`);

process.stderr.write(`training ${runId}; measuring the serve process's event loop for ${seconds} s…\n`);
// The histogram records whole timer intervals, so an idle loop reads about `resolution`: subtract it.
const RESOLUTION_MS = 1;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
const t0 = Date.now();
let polls = 0;
while (Date.now() - t0 < seconds * 1000 && !failure) {
  await Promise.all([
    call('training:state'),
    call('runs:stats', { runId, fromStep: Math.max(0, lastStep - 50) }),
    call('runs:list'),
    call('runs:sample', { runId }).catch(() => null),
  ]);
  polls++;
  await new Promise((r) => setTimeout(r, 1000));
}
histogram.disable();

const ms = (ns: number): string => Math.max(0, ns / 1e6 - RESOLUTION_MS).toFixed(2);
const result = {
  seconds: Math.round((Date.now() - t0) / 1000),
  steps,
  samples,
  polls,
  p50ms: Number(ms(histogram.percentile(50))),
  p99ms: Number(ms(histogram.percentile(99))),
  maxms: Number(ms(histogram.max)),
};
process.stdout.write(
  `event-loop delay while dcgan-64 trains: p50 ${result.p50ms} ms, p99 ${result.p99ms} ms, max ${result.maxms} ms (${result.steps} steps, ${result.samples} sample grids, ${result.polls} UI polls in ${result.seconds} s)\n`,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.stdout.write(result.p99ms < 20 ? 'target met: p99 < 20 ms\n' : 'TARGET MISSED: p99 >= 20 ms\n');

ws.close();
await call('training:stop').catch(() => null);
await server.close();
await rm(root, { recursive: true, force: true });
if (failure) process.exitCode = 1;
