/** `gan-studio info`, `gan-studio bench` and `gan-studio config`: the machine, its speed, the options. */
import type { Command } from 'commander';
import { z } from 'zod';
import { BACKEND_NAMES, TrainConfigSchema } from '../../shared/config';
import {
  PRESET_NAMES,
  UserError,
  benchmark,
  probeBackends,
  resolveConfig,
  resolveThreads,
  activateBackend,
  wasmThreadsInUse,
  type GpuAdapterSummary,
} from '../../engine';
import { collect, integer } from '../parse';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('Show which compute backends are available, and why not')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const backends = await probeBackends();
      if (flags.json) {
        process.stdout.write(
          JSON.stringify({ node: process.versions.node, platform: `${process.platform}-${process.arch}`, backends }) +
            '\n',
        );
        return;
      }
      process.stdout.write(
        `GAN Studio on Node ${process.versions.node} (${process.platform}-${process.arch})\n\nbackends, in the order auto tries them:\n`,
      );
      for (const b of backends) {
        process.stdout.write(`  ${b.available ? '✔' : '✘'} ${b.name.padEnd(15)} ${b.reason}\n`);
      }
      const gpu = backends.find((b) => b.name === 'webgpu');
      process.stdout.write(
        `\nGPU adapter (WebGPU): ${gpu?.adapter ? adapterLines(gpu.adapter) : `none: ${gpu?.reason ?? 'not probed'}`}\n`,
      );
      const first = backends.find((b) => b.available && b.auto);
      process.stdout.write(`\nauto picks: ${first ? first.name : 'none'}\n`);
    });
}

/** The adapter for `gan-studio info`: what it is, whether it is a real GPU, its limits. */
function adapterLines(a: GpuAdapterSummary): string {
  const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  return [
    `${a.description || a.device || 'unnamed'}`,
    `    vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, device ${a.device || '?'}`,
    `    ${a.emulation ? `${a.emulation}: auto never trains on it (wasm is faster)` : 'a real GPU'}${a.fallback ? ', fallback adapter' : ''}`,
    `    limits: buffer ${mib(a.limits.maxBufferSize)}, storage binding ${mib(a.limits.maxStorageBufferBindingSize)}, ${a.limits.maxStorageBuffersPerShaderStage} storage buffers per stage`,
  ].join('\n');
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('Time full training steps of a preset (after a warm-up) and print images per second')
    .option('--preset <name>', `preset: ${PRESET_NAMES.join(', ')}`, 'dcgan-28')
    .option('--batch <n>', 'batch size', integer('--batch', 1), 64)
    .option('--steps <n>', 'timed steps', integer('--steps', 1), 10)
    .option('--warmup <n>', 'untimed warm-up steps', integer('--warmup'), 2)
    .option('--backend <name>', `compute backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .option('--threads <n>', 'CPU threads for the wasm backend (default: all physical cores)', integer('--threads', 1))
    .option(
      '--replicas <n>',
      'data-parallel wasm replicas (one single-threaded engine per worker thread, 1/N of the batch each)',
      integer('--replicas', 1),
      1,
    )
    .option('--set <key=value>', 'set a model or training option (repeatable)', collect, [])
    .option('--json', 'print one JSON line')
    .action(
      async (flags: {
        preset: string;
        batch: number;
        steps: number;
        warmup: number;
        backend: string;
        threads?: number;
        replicas: number;
        set: string[];
        json?: boolean;
      }) => {
        if (!(BACKEND_NAMES as readonly string[]).includes(flags.backend))
          throw new UserError(`Unknown backend "${flags.backend}". Choose one of: ${BACKEND_NAMES.join(', ')}.`);
        const replicas = flags.replicas;
        if (replicas > 1 && !['wasm', 'auto'].includes(flags.backend))
          throw new UserError(`--replicas ${replicas} runs on the wasm backend, not ${flags.backend}.`);
        if (replicas > 1 && flags.threads != null && flags.threads > 1)
          throw new UserError('--replicas and --threads both split the work over cores: choose one.');
        // Each replica is a single-threaded engine.
        const threads = replicas > 1 ? 1 : resolveThreads(flags.threads ?? 0);
        const backend = await activateBackend(
          replicas > 1 ? 'wasm' : (flags.backend as (typeof BACKEND_NAMES)[number]),
          { threads },
        );
        const r = await benchmark({
          preset: flags.preset,
          batch: flags.batch,
          steps: flags.steps,
          warmup: flags.warmup,
          sets: flags.set,
          replicas,
        });
        const used = backend.tfBackend === 'wasm' ? (wasmThreadsInUse() ?? 1) : null;
        const line = {
          preset: r.preset,
          backend: backend.name,
          threads: used,
          replicas: r.replicas,
          batch: r.batch,
          imgPerSec: round(r.imgPerSec),
          msPerStep: round(r.msPerStep),
          cpuMsPerStep: round(r.cpuMsPerStep),
        };
        if (flags.json) process.stdout.write(JSON.stringify(line) + '\n');
        else
          process.stdout.write(
            `${line.preset} on ${line.backend}${used != null ? ` (${used} thread${used === 1 ? '' : 's'})` : ''}${r.replicas > 1 ? ` × ${r.replicas} replicas` : ''}, batch ${line.batch}: ${line.imgPerSec} img/s, ${line.msPerStep} ms/step (${r.steps} steps after ${r.warmup} warm-up)\n`,
          );
      },
    );
}

const round = (x: number): number => Math.round(x * 100) / 100;

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Print the resolved training config, or the config schema')
    .option('--schema', 'print the JSON Schema of the config, with a description of every option')
    .option('--preset <name>', `preset: ${PRESET_NAMES.join(', ')}`)
    .option('--config <file>', 'JSON config file')
    .option('--set <key=value>', 'set an option (repeatable)', collect, [])
    .action(async (flags: { schema?: boolean; preset?: string; config?: string; set: string[] }) => {
      if (flags.schema) {
        process.stdout.write(JSON.stringify(z.toJSONSchema(TrainConfigSchema, { io: 'input' }), null, 2) + '\n');
        return;
      }
      const config = await resolveConfig({
        preset: flags.preset ?? 'dcgan-28',
        configFile: flags.config,
        sets: flags.set,
      });
      process.stdout.write(JSON.stringify(config, null, 2) + '\n');
    });
}
