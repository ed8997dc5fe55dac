/**
 * The access token of `gan-studio serve`, kept in the user's config folder
 * (file mode 0600: only this user can read it), so the studio's address, and
 * a bookmark of it, keeps working across restarts. `--new-token` makes a new
 * one, which locks out every page that still has the old address.
 *
 * Config folder: $GAN_STUDIO_CONFIG, else the platform's per-user config
 * folder ($XDG_CONFIG_HOME or ~/.config on Linux, ~/Library/Application
 * Support on macOS, %APPDATA% on Windows) + gan-studio.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../engine/light';

const TOKEN_FILE = 'serve-token';
/** 24 random bytes as base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

export function userConfigDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const explicit = env['GAN_STUDIO_CONFIG']?.trim();
  if (explicit) return path.resolve(explicit);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env['APPDATA'] || path.join(home, 'AppData', 'Roaming'), 'gan-studio');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'gan-studio');
  return path.join(env['XDG_CONFIG_HOME'] || path.join(home, '.config'), 'gan-studio');
}

function serveTokenFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userConfigDir(env), TOKEN_FILE);
}

export interface ServeToken {
  token: string;
  file: string;
  /** True when this call made it (first start, `rotate`, or an unreadable file). */
  created: boolean;
}

/** Writes the token readable by this user only, atomically (a crash leaves the old token or the new one). */
const writeToken = (file: string, token: string) =>
  writeFileAtomic(file, `${token}\n`, { mode: 0o600, dirMode: 0o700 });

/** The saved token, or a new one (saved) when there is none, it is not a token, or `rotate` asks for one. */
export async function loadServeToken(options: { file?: string; rotate?: boolean } = {}): Promise<ServeToken> {
  const file = options.file ?? serveTokenFile();
  if (!options.rotate) {
    const saved = (await readFile(file, 'utf8').catch(() => '')).trim();
    if (TOKEN_PATTERN.test(saved)) {
      // Someone loosened the file's mode: tighten it again (the token is a password).
      if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
      return { token: saved, file, created: false };
    }
  }
  const token = randomBytes(24).toString('base64url');
  await writeToken(file, token);
  return { token, file, created: true };
}
