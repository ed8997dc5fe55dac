/** `gan-studio serve` as a user starts it: prints the URL, guards it with the token, stops on Ctrl-C. */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, waitFor } from '../helpers/cli';
import { tempDir } from '../helpers/temp';

describe('gan-studio serve', () => {
  it('prints a tokenized loopback URL, refuses requests without the token, and exits on SIGINT', async () => {
    const runs = await tempDir('gan-studio-serve-cli-');
    const cli = startCli(['serve', '--no-open', '--no-build', '--port', '0', '--runs', runs], {
      env: { GAN_STUDIO_CACHE: runs, GAN_STUDIO_CONFIG: runs },
    });
    try {
      const url = await waitFor(
        async () => /^(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)$/m.exec(cli.stdout())?.[1],
        60_000,
        'the URL',
      );
      expect(cli.stderr()).toContain(`Runs are kept in ${runs}`);
      const base = new URL(url).origin;
      expect((await fetch(`${base}/`)).status).toBe(401);
      expect([200, 404]).toContain((await fetch(url)).status); // 404 only when out/renderer was never built
      cli.child.kill('SIGINT');
      const result = await cli.done;
      expect(result.code).toBe(0);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });

  it('explains a port that is taken', async () => {
    const runs = await tempDir('gan-studio-serve-cli-');
    const first = startCli(['serve', '--no-open', '--no-build', '--port', '0', '--runs', runs], {
      env: { GAN_STUDIO_CONFIG: runs },
    });
    try {
      const url = await waitFor(
        async () => /^(http:\/\/127\.0\.0\.1:\d+)\//m.exec(first.stdout())?.[1],
        60_000,
        'the URL',
      );
      const port = new URL(url).port;
      const second = startCli(['serve', '--no-open', '--no-build', '--port', port, '--runs', runs], {
        timeoutMs: 60_000,
        env: { GAN_STUDIO_CONFIG: runs },
      });
      const r = await second.done;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error: Port ${port} is in use`);
    } finally {
      first.child.kill('SIGKILL');
    }
  });

  it('keeps its address across restarts until --new-token', async () => {
    const runs = await tempDir('gan-studio-serve-cli-');
    const config = path.join(runs, 'config');
    const tokenOf = async (extra: string[]) => {
      const cli = startCli(['serve', '--no-open', '--no-build', '--port', '0', '--runs', runs, ...extra], {
        env: { GAN_STUDIO_CONFIG: config },
      });
      try {
        const url = await waitFor(
          async () => /^http:\/\/127\.0\.0\.1:\d+\/\?token=([\w-]+)$/m.exec(cli.stdout())?.[1],
          60_000,
          'the URL',
        );
        return { token: url, stderr: cli.stderr() };
      } finally {
        cli.child.kill('SIGINT');
        await cli.done;
      }
    };
    const first = await tokenOf([]);
    expect(first.stderr).toContain(`New access token, kept in ${path.join(config, 'serve-token')}`);
    expect((await stat(path.join(config, 'serve-token'))).mode & 0o777).toBe(0o600);
    const second = await tokenOf([]);
    expect(second.token).toBe(first.token);
    expect(second.stderr).toContain('the same address as before');
    const rotated = await tokenOf(['--new-token']);
    expect(rotated.token).not.toBe(first.token);
    expect((await tokenOf([])).token).toBe(rotated.token);
  });
});
