/** `gan-studio bench`, `info` and `config`: what they print on stdout. */
import { describe, expect, it } from 'vitest';
import { physicalCores } from '../../src/engine/backend';
import { cliTempDir, expectSuccess, runCli } from '../helpers/cli';

const ws = cliTempDir('gan-cli-inspect-');
/** bench on a narrow dcgan on wasm: quick, and the same everywhere. */
const NARROW_WASM = ['--set', 'model.baseWidth=8', '--backend', 'wasm'];

describe('bench --json', () => {
  it('prints exactly one JSON line with the speed of a tiny dcgan-28', async () => {
    const r = expectSuccess(
      await runCli(
        ['bench', '--preset', 'dcgan-28', '--batch', '8', '--steps', '2', '--warmup', '1', ...NARROW_WASM, '--json'],
        { env: ws.env },
      ),
    );
    expect(r.stdout.endsWith('\n')).toBe(true);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual([
      'backend',
      'batch',
      'cpuMsPerStep',
      'imgPerSec',
      'msPerStep',
      'preset',
      'replicas',
      'threads',
    ]);
    // Without --threads the wasm backend gets every physical core (in one engine: replicas 1).
    expect(line).toMatchObject({
      preset: 'dcgan-28',
      backend: 'wasm',
      batch: 8,
      threads: physicalCores(),
      replicas: 1,
    });
    expect(line.imgPerSec).toBeGreaterThan(0);
    expect(line.msPerStep).toBeGreaterThan(0);
    expect(line.cpuMsPerStep).toBeGreaterThan(0);
    // img/s and ms/step describe the same timing (both rounded to 2 decimals).
    expect(line.imgPerSec as number).toBeCloseTo((8 * 1000) / (line.msPerStep as number), -1);
  });

  it('--replicas 2 times the step on two single-threaded replicas', async () => {
    const r = expectSuccess(
      await runCli(
        ['bench', '--batch', '8', '--steps', '1', '--warmup', '1', ...NARROW_WASM, '--replicas', '2', '--json'],
        { env: ws.env },
      ),
    );
    const line = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ preset: 'dcgan-28', backend: 'wasm', batch: 8, threads: 1, replicas: 2 });
    expect(line.imgPerSec).toBeGreaterThan(0);
  });

  it('without --json prints one human line', async () => {
    const r = expectSuccess(
      await runCli(['bench', '--batch', '4', '--steps', '1', '--warmup', '0', ...NARROW_WASM, '--threads', '1'], {
        env: ws.env,
      }),
    );
    expect(r.stdout).toMatch(
      /^dcgan-28 on wasm \(1 thread\), batch 4: [\d.]+ img\/s, [\d.]+ ms\/step \(1 steps after 0 warm-up\)\n$/,
    );
  });

  it('rejects an unknown preset with one error line', async () => {
    const r = await runCli(['bench', '--preset', 'nope', '--backend', 'wasm', '--json'], { env: ws.env });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderrLines).toEqual([
      'error: Unknown preset "nope". Choose one of: dcgan-28, dcgan-64, dcgan-classic, wgan-gp, sngan-hinge, small-dataset, rpgan, fastgan.',
    ]);
  });
});

describe('info', () => {
  it('lists the five backends in preference order; wasm and cpu ready, native ones with a reason', async () => {
    const r = expectSuccess(await runCli(['info'], { env: ws.env }));
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^GAN Studio on Node \d+\.\d+\.\d+ \(\w+-\w+\)$/);
    const rows = lines.filter((l) => /^ {2}[✔✘] /.test(l));
    expect(rows.map((l) => l.slice(4).split(/\s+/)[0])).toEqual([
      'tensorflow-gpu',
      'webgpu',
      'tensorflow',
      'wasm',
      'cpu',
    ]);
    const row = (name: string) => rows.find((l) => l.slice(4).split(/\s+/)[0] === name)!;
    expect(row('wasm')).toMatch(/^ {2}✔ wasm\s+ready$/);
    expect(row('cpu')).toMatch(/^ {2}✔ cpu\s+ready$/);
    for (const name of ['tensorflow-gpu', 'webgpu', 'tensorflow']) {
      // Available or not depends on the machine; when not, the reason says why.
      const l = row(name);
      if (l.startsWith('  ✘')) expect(l.slice(4 + name.length).trim().length).toBeGreaterThan(10);
      else expect(l).toMatch(/ready(, but auto skips it: .+)?$/);
    }
    // The adapter is named, or the line says why there is none.
    expect(r.stdout).toMatch(
      /\nGPU adapter \(WebGPU\): (none: \S.{10,}|\S.*\n {4}vendor .+, architecture .+\n {4}(a real GPU|a CPU emulation \(.+\): auto never trains on it))/,
    );
    expect(r.stdout).toMatch(/\nauto picks: (tensorflow-gpu|webgpu|tensorflow|wasm)\n$/);
  });

  it('--json gives the same list as data', async () => {
    const r = expectSuccess(await runCli(['info', '--json'], { env: ws.env }));
    const info = JSON.parse(r.stdout) as {
      node: string;
      platform: string;
      backends: { name: string; available: boolean; reason: string }[];
    };
    expect(info.node).toBe(process.versions.node);
    expect(info.backends.map((b) => b.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    for (const b of info.backends) {
      if (b.name === 'wasm' || b.name === 'cpu')
        expect(b).toEqual({ name: b.name, available: true, reason: 'ready', auto: true });
      else if (!b.available) expect(b.reason).toMatch(/\S{3,}/);
    }
  });
});

describe('config', () => {
  type Schema = {
    type?: string | string[];
    description?: string;
    properties?: Record<string, Schema>;
    default?: unknown;
    enum?: unknown[];
  };

  it('--schema prints a JSON Schema with a description for every option', async () => {
    const r = expectSuccess(await runCli(['config', '--schema'], { env: ws.env }));
    const schema = JSON.parse(r.stdout) as Schema & { $schema: string };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.type).toBe('object');
    const leaves: [string, Schema][] = [];
    const walk = (s: Schema, prefix: string) => {
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (v.properties) walk(v, `${prefix}${k}.`);
        else leaves.push([`${prefix}${k}`, v]);
      }
    };
    walk(schema, '');
    const names = leaves.map(([k]) => k);
    for (const k of [
      'steps',
      'batchSize',
      'seed',
      'backend',
      'keepCheckpoints',
      'data.dir',
      'model.baseWidth',
      'model.resolution',
      'g.lr',
      'd.beta1',
      'ema.decay',
    ]) {
      expect(names).toContain(k);
    }
    for (const [k, v] of leaves) expect(v.description, k).toMatch(/\w{3,}.*\w/);
    const props = schema.properties!;
    expect(props.batchSize).toMatchObject({ type: 'integer', default: 64 });
    expect(props.backend.enum).toEqual(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
  });

  it('prints the resolved config of a preset with --set applied', async () => {
    const r = expectSuccess(
      await runCli(['config', '--preset', 'dcgan-64', '--set', 'model.baseWidth=16', '--set', 'g.lr=0.001'], {
        env: ws.env,
      }),
    );
    const config = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(config).toMatchObject({
      preset: 'dcgan-64',
      model: { arch: 'dcgan-conv', resolution: 64, channels: 3, baseWidth: 16 },
      g: { lr: 0.001 },
    });
  });
});
