/**
 * `gan-studio serve`: the studio in a browser. Serves the built renderer and
 * runs the studio contract over a WebSocket, on loopback, behind a random
 * token that is part of the printed URL and kept in the user's config folder
 * (src/server/token.ts), so the URL survives restarts.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../engine';
import { startStudioServer } from '../../server';
import { loadServeToken, userConfigDir } from '../../server/token';
import { buildRenderer, defaultRendererDir, packageRoot, rendererBuildReason } from '../../server/renderer-build';
import { integer } from '../parse';
import { info } from '../output';
import { openBrowser } from '../open-browser';
import { packageVersion } from '../package-version';

interface ServeFlags {
  port?: number;
  host: string;
  runs: string;
  open: boolean;
  build: boolean;
  newToken?: boolean;
}

const DEFAULT_PORT = 7860;

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the studio in your browser (same UI as the desktop app), on this machine only')
    .option(
      '--port <n>',
      `port (default ${DEFAULT_PORT}, or any free one when that is taken; 0: any free port)`,
      integer('--port'),
    )
    .option('--host <address>', 'address to listen on (keep the default unless you know why)', '127.0.0.1')
    .option('--runs <dir>', 'folder that holds the run folders', 'runs')
    .option('--no-open', 'do not open a browser')
    .option('--no-build', 'never (re)build the user interface, serve out/renderer as it is')
    .option('--new-token', 'make a new access token: pages and bookmarks with the old address stop working')
    .action(async (flags: ServeFlags) => serve(flags));
}

async function serve(flags: ServeFlags): Promise<void> {
  const root = packageRoot();
  const rendererDir = defaultRendererDir(root);
  if (flags.build) {
    const reason = await rendererBuildReason(root, rendererDir);
    if (reason) {
      info(`Building the user interface (${reason}); this takes a minute the first time…`);
      const started = Date.now();
      await buildRenderer(root);
      info(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    }
  }
  if (flags.port !== undefined && flags.port > 65535)
    throw new UserError(`--port must be at most 65535, got ${flags.port}.`);
  const version = packageVersion();
  // The same token (so the same address) on every start, until --new-token.
  const saved = await loadServeToken({ rotate: flags.newToken === true });
  const start = (port: number) =>
    startStudioServer({
      host: flags.host,
      port,
      token: saved.token,
      // Download links outlive a restart, as the token does (the same folder, readable by this user only).
      downloadsFile: path.join(userConfigDir(), 'downloads.json'),
      runsRoot: path.resolve(flags.runs),
      rendererDir,
      appInfo: {
        name: 'GAN Studio',
        version,
        versions: { node: process.versions.node, electron: '', chrome: '', v8: process.versions.v8 },
        platform: process.platform,
        arch: process.arch,
        packaged: false,
      },
    });
  let server;
  try {
    try {
      server = await start(flags.port ?? DEFAULT_PORT);
    } catch (e) {
      if (flags.port !== undefined || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      server = await start(0);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(`Port ${flags.port} is in use: pick another with --port, or --port 0 for any free one.`);
    if (code === 'EADDRNOTAVAIL')
      throw new UserError(`Cannot listen on ${flags.host}: no such address on this machine.`);
    throw e;
  }
  if (flags.host !== '127.0.0.1' && flags.host !== 'localhost' && flags.host !== '::1') {
    info(`warning: listening on ${flags.host}; anyone who can reach it and knows the token can use the studio.`);
  }
  info(`GAN Studio is running. Runs are kept in ${server.backend.runsRoot}`);
  info(
    saved.created
      ? `New access token, kept in ${saved.file}: the address below stays the same across restarts (--new-token makes a new one).`
      : `Access token from ${saved.file} (the same address as before; --new-token makes a new one).`,
  );
  process.stdout.write(`${server.url}\n`);
  if (flags.open) openBrowser(server.url);

  let stopping = false;
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        info(`${signal} again: exiting now.`);
        process.exit(130);
      }
      stopping = true;
      info('Stopping (training saves a checkpoint first)…');
      server.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
