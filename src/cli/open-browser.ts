/** Open a URL in the user's browser; the caller prints the URL too, in case this cannot. */
import { spawn } from 'node:child_process';
import { info } from './output';

export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => info('Could not open a browser; open the address above yourself.'));
    child.unref();
  } catch {
    // the URL is printed anyway
  }
}
