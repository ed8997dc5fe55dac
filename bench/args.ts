/** The bench scripts' one flag reader: `--name value`, or the fallback when the flag or its value is missing. */
export function arg(name: string, fallback: string): string;
export function arg(name: string, fallback: string | null): string | null;
export function arg(name: string, fallback: string | null): string | null {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
