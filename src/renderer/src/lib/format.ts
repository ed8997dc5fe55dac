/** Small formatting helpers for numbers, durations and sizes in the UI. */

/** "1h 02m", "3m 05s", "42s"; "—" for unknown or negative durations. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** Seconds left for `remainingSteps` at `stepsPerSecond`; null when unknown. */
export function etaSeconds(remainingSteps: number, stepsPerSecond: number): number | null {
  if (!(stepsPerSecond > 0) || !Number.isFinite(stepsPerSecond)) return null;
  return Math.max(0, remainingSteps) / stepsPerSecond;
}

/** A compact number for tables and chips: 4 significant digits, exponent when tiny or huge. */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v == null) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(digits)));
}

/** 12,345 */
export function formatCount(v: number): string {
  return v.toLocaleString('en-US');
}

/** "1.2 MB" */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** The message of anything thrown. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

/** "Jan 5, 14:03" in the user's locale; the input as it is when it is no date. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}, ${d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false })}`;
}
