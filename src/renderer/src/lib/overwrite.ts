/**
 * Confirm-and-retry for outputs the studio refused because they would
 * replace existing files (OutputExistsError): ask "Replace …?" with nothing
 * focused (Enter cannot replace by accident), and on yes call again with
 * `overwrite: true`. A "no" ends quietly: the user chose to keep the files.
 */
import { OUTPUT_EXISTS_ERROR } from '@shared/output-errors';
import { confirmDestructive } from './confirm';
import { errorMessage } from './format';

/** Whether a failed call was refused for replacing existing files (Electron puts the name into the message). */
export function isOutputExists(e: unknown): boolean {
  return e instanceof Error && (e.name === OUTPUT_EXISTS_ERROR || e.message.includes(`${OUTPUT_EXISTS_ERROR}: `));
}

/** The refusal's own line, without Electron's "Error invoking remote method …: OutputExistsError: " prefix. */
function refusalLine(e: unknown): string {
  const message = errorMessage(e);
  const at = message.indexOf(`${OUTPUT_EXISTS_ERROR}: `);
  return at >= 0 ? message.slice(at + OUTPUT_EXISTS_ERROR.length + 2) : message;
}

/** "Replace seed7-x4.png?" for a file, "Replace files in batch?" for a folder that holds files. */
export function replaceTitle(line: string): string {
  const file = /^(.+?) already exists in /.exec(line);
  if (file) return `Replace ${file[1]}?`;
  const folder = /^(.+?) already holds files/.exec(line);
  if (folder) return `Replace files in ${folder[1].split(/[\\/]/).filter(Boolean).pop() ?? folder[1]}?`;
  return 'Replace the existing files?';
}

/**
 * `call(false)`; when refused for replacing files, ask, and on yes
 * `call(true)`. Resolves null when the user keeps the files; other
 * errors are thrown as they come.
 */
export async function withOverwriteConfirm<T>(call: (overwrite: boolean) => Promise<T>): Promise<T | null> {
  try {
    return await call(false);
  } catch (e) {
    if (!isOutputExists(e)) throw e;
    const line = refusalLine(e);
    const yes = await confirmDestructive({
      title: replaceTitle(line),
      message: line,
      confirm: 'Replace',
      cancel: 'Keep them',
      danger: true,
    });
    return yes ? call(true) : null;
  }
}
