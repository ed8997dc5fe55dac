/**
 * A real `gan-studio serve` in a child process for the browser tests: its
 * own runs folder, dataset cache and config folder (the saved token), all
 * temp folders unless given. It (re)builds the renderer first when the
 * sources changed, which takes a minute or two on a loaded machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, REPO_ROOT } from './cli';
import { tempCacheDir, tempDir } from './temp';

export interface ServeChild {
  proc: ChildProcess;
  /** The printed address, token included. */
  url: string;
  runs: string;
  cache: string;
  config: string;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM (SIGKILL after 30 s), and resolves once it exited. */
  stop(): Promise<void>;
}

export async function startServe(
  options: { runs?: string; cache?: string; config?: string; args?: string[] } = {},
): Promise<ServeChild> {
  const runs = options.runs ?? (await tempDir('gan-studio-e2e-runs-'));
  const cache = options.cache ?? (await tempCacheDir());
  const config = options.config ?? (await tempDir('gan-studio-config-'));
  const proc = spawn(
    process.execPath,
    [CLI, 'serve', '--no-open', '--port', '0', '--runs', runs, ...(options.args ?? [])],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, GAN_STUDIO_CACHE: cache, GAN_STUDIO_CONFIG: config },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL:\n${out}`)), 240_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}):\n${out}`));
    });
  });
  return {
    proc,
    url,
    runs,
    cache,
    config,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      // it saves a checkpoint of a training first; one that hangs is killed
      const hung = setTimeout(() => proc.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(hung);
    },
  };
}
