/**
 * Why Start (or a resume) was refused, and which option it is about, so the
 * Train view can say it in full and take the user to the field.
 */

export interface StartRefusal {
  /** The backend's line, in full. */
  message: string;
  /** The dotted option the message is about (e.g. `g.lr`, `data.dir`); null when it names none. */
  field: string | null;
}

/**
 * The option a refusal names: the config checks say `Invalid option "g.lr" in
 * config: …` or `Unknown option "x.y"`; the folder checks speak of the data
 * folder or its images, which is `data.dir`.
 */
export function refusalField(message: string): string | null {
  const named = /(?:Invalid|Unknown) option "([^"]+)"/.exec(message);
  if (named && named[1] !== '(root)') return named[1];
  if (/\bdata folder\b|\bno usable images\b|\bfolder not found\b/i.test(message)) return 'data.dir';
  return null;
}

/** A refusal from the backend's line, or from the form check's first issue (its path is the field). */
export function startRefusal(message: string, issuePath?: string | null): StartRefusal {
  return { message, field: issuePath || refusalField(message) };
}
