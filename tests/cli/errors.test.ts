/**
 * Bad input: every case exits non-zero with one `error: …` line on stderr and
 * no stack trace; --verbose adds the stack. Damaged checkpoints are made by
 * copying a run trained in beforeAll and breaking the copy.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  TINY,
  cliTempDir,
  describeResult,
  readStats,
  runCli,
  stackLines,
  trainRun,
  type CliResult,
} from '../helpers/cli';

const ws = cliTempDir('gan-cli-err-');
let runDir: string;
let copies = 0;

const USAGE_HINT = '(add --help for usage)';
const BACKEND_LINE = /^backend: wasm \(/;

beforeAll(async () => {
  const r = await trainRun(
    path.join(ws.dir, 'runs'),
    ['--steps', '2', '--batch', '4', '--sample-every', '0', '--checkpoint-every', '0', ...TINY],
    { env: ws.env },
  );
  runDir = r.runDir;
});

const cli = (args: string[]): Promise<CliResult> => runCli(args, { env: ws.env });

/** Failed, nothing on stdout, no stack trace, and `error:` only on the last stderr line. */
function expectFailure(r: CliResult): string {
  expect(r.code, describeResult(r)).not.toBe(0);
  expect(r.code, describeResult(r)).not.toBeNull();
  expect(r.stdout).toBe('');
  expect(stackLines(r.stderr), describeResult(r)).toEqual([]);
  const errors = r.stderrLines.filter((l) => l.startsWith('error:'));
  expect(errors, describeResult(r)).toHaveLength(1);
  return errors[0];
}

/** stderr is exactly these lines. */
function expectStderr(r: CliResult, lines: (string | RegExp)[]): void {
  expectFailure(r);
  expect(r.stderrLines, describeResult(r)).toHaveLength(lines.length);
  lines.forEach((l, i) =>
    typeof l === 'string' ? expect(r.stderrLines[i]).toBe(l) : expect(r.stderrLines[i]).toMatch(l),
  );
}

/** A copy of the trained run, to break. */
async function copyRun(): Promise<string> {
  const dir = path.join(ws.dir, `copy-${copies++}`);
  await fs.cp(runDir, dir, { recursive: true });
  return dir;
}

const newest = (run: string, file: string): string => path.join(run, 'checkpoints', 'step-000002', file);

describe('train: bad options', () => {
  it('a --data folder that does not exist', async () => {
    const missing = path.join(ws.dir, 'no-such-folder');
    const r = await cli(['train', '--data', missing, '--out', path.join(ws.dir, 'runs-x'), ...TINY]);
    // The backend starts before the import looks at the folder.
    expectStderr(r, [BACKEND_LINE, `error: Folder not found: ${missing}`]);
    await expect(fs.stat(path.join(ws.dir, 'runs-x'))).rejects.toThrow(); // no run folder made
  });

  it('an unknown preset', async () => {
    expectStderr(await cli(['train', '--preset', 'dcgan-999', '--steps', '1']), [
      'error: Unknown preset "dcgan-999". Choose one of: dcgan-28, dcgan-64, dcgan-classic, wgan-gp, sngan-hinge, small-dataset, rpgan, fastgan.',
    ]);
  });

  it('--set without "="', async () => {
    expectStderr(await cli(['train', '--set', 'model.baseWidth', '--steps', '1']), [
      'error: Bad --set "model.baseWidth": expected key=value, for example --set g.lr=0.0001.',
    ]);
  });

  it('--set with a key that is not an option name', async () => {
    expectStderr(await cli(['train', '--set', '9lives=1']), [
      'error: Bad --set "9lives=1": "9lives" is not an option name.',
    ]);
  });

  it('--set of an unknown option', async () => {
    expectStderr(await cli(['train', '--set', 'model.depth=3']), ['error: Unknown option "model.depth" in config.']);
    expectStderr(await cli(['train', '--set', 'learningRate=0.1']), [
      'error: Unknown option "learningRate" in config.',
    ]);
  });

  it('--set of the wrong type', async () => {
    expectStderr(await cli(['train', '--set', 'model.baseWidth=wide']), [
      'error: Invalid option "model.baseWidth" in config: Invalid input: expected number, received string.',
    ]);
    expectStderr(await cli(['train', '--set', 'ema.enabled=3']), [
      /^error: Invalid option "ema\.enabled" in config: .*boolean/,
    ]);
    expectStderr(await cli(['train', '--set', 'model.resolution=48']), [
      'error: Invalid option "model.resolution" in config: arch dcgan-dense needs resolution 28.',
    ]);
  });

  it('--steps that is not a whole number (commander adds its usage hint)', async () => {
    expectStderr(await cli(['train', '--steps', 'abc']), [
      `error: option '--steps <n>' argument 'abc' is invalid. --steps needs a whole number, got "abc".`,
      USAGE_HINT,
    ]);
    expectStderr(await cli(['train', '--steps', '2.5']), [
      `error: option '--steps <n>' argument '2.5' is invalid. --steps needs a whole number, got "2.5".`,
      USAGE_HINT,
    ]);
    expectStderr(await cli(['train', '--steps', '0']), [/^error: Invalid option "steps" in config: /]);
  });

  it('a --config file that is missing or not JSON', async () => {
    const missing = path.join(ws.dir, 'missing.json');
    expectStderr(await cli(['train', '--config', missing]), [`error: Config file not found: ${missing}`]);
    const bad = path.join(ws.dir, 'bad.json');
    await fs.writeFile(bad, '{"steps": 3,');
    expectStderr(await cli(['train', '--config', bad]), [
      new RegExp(`^error: Config file ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: `),
    ]);
  });

  it('an unknown backend', async () => {
    expectStderr(await cli(['train', '--backend', 'gpu']), [/^error: Invalid option "backend" in config: .*"wasm"/]);
  });

  it('an unknown command or option', async () => {
    expectStderr(await cli(['bogus']), [`error: unknown command 'bogus'`, USAGE_HINT]);
    expectStderr(await cli(['trian']), [`error: unknown command 'trian'`, '(Did you mean train?)', USAGE_HINT]);
    expectStderr(await cli(['train', '--bogus', '3']), [`error: unknown option '--bogus'`, USAGE_HINT]);
    expectStderr(await cli(['train', '--stepz', '3']), [
      `error: unknown option '--stepz'`,
      '(Did you mean --steps?)',
      USAGE_HINT,
    ]);
    expectStderr(await cli(['generate', '--count', '1', '--out', ws.dir]), [
      `error: required option '--checkpoint <path>' not specified`,
      USAGE_HINT,
    ]);
  });
});

describe('paths that are not runs or checkpoints', () => {
  it('generate and export on a folder that is neither', async () => {
    const empty = path.join(ws.dir, 'empty');
    await fs.mkdir(empty, { recursive: true });
    const msg = `error: ${empty} is neither a run folder nor a checkpoint folder (no state.json, no checkpoints/).`;
    expectStderr(await cli(['generate', '--checkpoint', empty, '--count', '1', '--out', path.join(ws.dir, 'g')]), [
      msg,
    ]);
    expectStderr(await cli(['export', '--checkpoint', empty, '--out', path.join(ws.dir, 'e')]), [msg]);
  });

  it('generate on a path that does not exist', async () => {
    const missing = path.join(ws.dir, 'nothing-here');
    expectStderr(await cli(['generate', '--checkpoint', missing, '--count', '1', '--out', path.join(ws.dir, 'g')]), [
      `error: Checkpoint not found: ${missing} is not a folder.`,
    ]);
  });

  it('generate on a run with no checkpoint yet', async () => {
    const run = await copyRun();
    await fs.rm(path.join(run, 'checkpoints'), { recursive: true });
    await fs.mkdir(path.join(run, 'checkpoints'));
    expectStderr(await cli(['generate', '--checkpoint', run, '--count', '1', '--out', path.join(ws.dir, 'g')]), [
      `error: Run ${run} has no checkpoint yet.`,
    ]);
  });

  it('train --resume with a --set that has no "=" names the bad --set', async () => {
    expectStderr(await cli(['train', '--resume', runDir, '--set', 'keepCheckpoints']), [
      'error: Bad --set "keepCheckpoints": expected key=value, for example --set g.lr=0.0001.',
    ]);
  });

  it('train --resume on a folder that is not a run', async () => {
    const empty = path.join(ws.dir, 'empty');
    await fs.mkdir(empty, { recursive: true });
    expectStderr(await cli(['train', '--resume', empty]), [`error: Not a run folder: ${empty} (no config.json).`]);
  });

  it('export in an unknown format', async () => {
    expectStderr(await cli(['export', '--checkpoint', runDir, '--format', 'onnx', '--out', path.join(ws.dir, 'e')]), [
      'error: Unknown export format "onnx". Supported: tfjs.',
    ]);
  });
});

describe('damaged checkpoints', () => {
  it('generate with a truncated weights.bin', async () => {
    const run = await copyRun();
    const weights = newest(run, 'g_ema/weights.bin');
    await fs.truncate(weights, 100);
    const r = await cli(['generate', '--checkpoint', run, '--count', '2', '--out', path.join(ws.dir, 'g1')]);
    expectStderr(r, [
      new RegExp(
        `^error: Run ${escape(run)} has no intact checkpoint: step-000002: g_ema/weights\\.bin is 100 bytes, the manifest says \\d+ \\(truncated or corrupt\\)\\.$`,
      ),
    ]);
    await expect(fs.stat(path.join(ws.dir, 'g1', 'seed0-0000.png'))).rejects.toThrow();
  });

  it('generate with garbage in state.json', async () => {
    const run = await copyRun();
    await fs.writeFile(newest(run, 'state.json'), 'garbage');
    const r = await cli([
      'generate',
      '--checkpoint',
      path.join(run, 'checkpoints', 'step-000002'),
      '--count',
      '1',
      '--out',
      path.join(ws.dir, 'g2'),
    ]);
    expectStderr(r, [/^error: Corrupt checkpoint .*step-000002: cannot read state\.json \(.*not valid JSON\)\.$/]);
  });

  it('generate with a state.json of another format', async () => {
    const run = await copyRun();
    await fs.writeFile(newest(run, 'state.json'), JSON.stringify({ format: 99, step: 2 }));
    const r = await cli(['generate', '--checkpoint', run, '--count', '1', '--out', path.join(ws.dir, 'g3')]);
    expectStderr(r, [
      /^error: Checkpoint .*step-000002 was saved by a newer GAN Studio \(checkpoint format 99; this version reads up to 2\)\. Update GAN Studio to use it\.$/,
    ]);
  });

  it('train --resume with garbage in state.json leaves the run as it was', async () => {
    const run = await copyRun();
    await fs.writeFile(newest(run, 'state.json'), '{"format": 1, "step": ');
    const statsBefore = await fs.readFile(path.join(run, 'stats.jsonl'), 'utf8');
    const r = await cli(['train', '--resume', run, '--steps', '4']);
    const error = expectFailure(r);
    expect(error).toMatch(/^error: Run .* has no intact checkpoint: step-000002: cannot read state\.json \(.*\)\.$/);
    expect(r.stderrLines[0]).toMatch(BACKEND_LINE);
    expect(r.stderrLines[r.stderrLines.length - 1]).toBe(error);
    expect(await fs.readFile(path.join(run, 'stats.jsonl'), 'utf8')).toBe(statsBefore);
    expect(JSON.parse(await fs.readFile(path.join(run, 'status.json'), 'utf8'))).toMatchObject({
      status: 'finished',
      step: 2,
    });
  });

  it('train --resume with a truncated weights.bin', async () => {
    const run = await copyRun();
    await fs.truncate(newest(run, 'd/weights.bin'), 10);
    const r = await cli(['train', '--resume', run, '--steps', '4']);
    const error = expectFailure(r);
    expect(error).toMatch(
      /^error: Run .* has no intact checkpoint: step-000002: d\/weights\.bin is 10 bytes, the manifest says \d+ \(truncated or corrupt\)\.$/,
    );
    expect(r.stderrLines[r.stderrLines.length - 1]).toBe(error);
    expect((await readStats(run)).map((s) => s.step)).toEqual([1, 2]);
  });

  it('train --resume with a truncated optimizer state', async () => {
    const run = await copyRun();
    await fs.truncate(newest(run, 'optimizer-g.bin'), 8);
    const r = await cli(['train', '--resume', run, '--steps', '4']);
    expect(expectFailure(r)).toMatch(
      /^error: Run .* has no intact checkpoint: step-000002: optimizer-g\.bin is 8 bytes, the manifest says \d+ \(truncated or corrupt\)\.$/,
    );
  });
});

describe('--verbose', () => {
  it('an unusable --out fails at once with one line, and --verbose adds the stack trace', async () => {
    // --out below a regular file: the runs folder cannot be made. It is reported before any import.
    const file = path.join(ws.dir, 'a-file');
    await fs.writeFile(file, 'x');
    const out = path.join(file, 'runs');
    const args = ['train', '--out', out, '--steps', '1', '--batch', '4', ...TINY];

    const plain = await cli(args);
    expectFailure(plain);
    expect(plain.stderrLines.filter((l) => l.startsWith('error:'))).toEqual([
      `error: Cannot create the runs folder ${out}: ${file} is not a folder.`,
    ]);
    expect(plain.stderr).not.toMatch(/importing/);
    expect(stackLines(plain.stderr)).toEqual([]);

    const verbose = await cli(['--verbose', ...args]);
    expect(verbose.code).toBe(1);
    expect(stackLines(verbose.stderr).length).toBeGreaterThan(0);

    // --verbose after the command name works too.
    const after = await cli(['train', '--verbose', ...args.slice(1)]);
    expect(after.code).toBe(1);
    expect(stackLines(after.stderr).length).toBeGreaterThan(0);
  });

  it('a user error with --verbose also shows where it came from', async () => {
    const missing = path.join(ws.dir, 'nothing-here');
    const r = await cli([
      '--verbose',
      'generate',
      '--checkpoint',
      missing,
      '--count',
      '1',
      '--out',
      path.join(ws.dir, 'g'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderrLines[0]).toBe(`error: Checkpoint not found: ${missing} is not a folder.`);
    expect(r.stderrLines[1]).toBe(`UserError: Checkpoint not found: ${missing} is not a folder.`);
    expect(stackLines(r.stderr).length).toBeGreaterThan(0);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
