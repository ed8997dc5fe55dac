/**
 * Training and import progress for the terminal: a live bar on a TTY, plain
 * log lines (about one every few seconds) when output goes to a file or a pipe.
 */
import { LiveLine, bar } from './live-line';
import type { StepStats } from '../engine';

const fmt = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export interface StepProgress {
  update(stats: StepStats): void;
  /** Print a message without breaking the bar. */
  log(message: string): void;
  stop(): void;
}

/** Steps timed for the up-front estimate, after the first one (graph building and warm-up make it slow). */
const ESTIMATE_STEPS = 3;
/** Runs shorter than this get no estimate line: the ETA in the bar says enough. */
const ESTIMATE_MIN_SECONDS = 60;

/** The line that says, once training has found its pace, how long the whole run will take here. */
function estimateLine(msPerStep: number, stepsLeft: number): string | null {
  const seconds = (msPerStep * stepsLeft) / 1000;
  if (!(seconds >= ESTIMATE_MIN_SECONDS)) return null;
  return `estimate: about ${formatDuration(seconds)} for the ${stepsLeft} steps left, at ${Math.round(msPerStep)} ms/step here (Ctrl-C stops with a checkpoint; --resume continues)`;
}

export function stepProgress(
  startStep: number,
  total: number,
  batchSize: number,
  tty = Boolean(process.stderr.isTTY),
): StepProgress {
  const progress = barOrLines(startStep, total, batchSize, tty);
  // Time steps 2..1+ESTIMATE_STEPS of this process by the wall clock, then say once how long the rest takes.
  let timedFrom: { step: number; at: number } | null = null;
  let estimated = false;
  return {
    update(s) {
      progress.update(s);
      if (estimated) return;
      if (timedFrom === null) {
        timedFrom = { step: s.step, at: Date.now() };
        return;
      }
      if (s.step - timedFrom.step < ESTIMATE_STEPS) return;
      estimated = true;
      const line = estimateLine((Date.now() - timedFrom.at) / (s.step - timedFrom.step), total - s.step);
      if (line) progress.log(line);
    },
    log: (message) => progress.log(message),
    stop: () => progress.stop(),
  };
}

function barOrLines(startStep: number, total: number, batchSize: number, tty: boolean): StepProgress {
  // img/s over the last steps, so ETA follows the current speed rather than the warm-up.
  const recent: number[] = [];
  const speed = (s: StepStats) => {
    recent.push(s.imgPerSec);
    if (recent.length > 20) recent.shift();
    return recent.reduce((a, b) => a + b, 0) / recent.length;
  };
  const eta = (s: StepStats, imgPerSec: number) => formatDuration(((total - s.step) * batchSize) / imgPerSec);

  if (tty) {
    const line = new LiveLine();
    // What matters most first (step, ETA, speed): an 80-column terminal cuts the end of the line.
    line.set(`step ${startStep}/${total} ${bar(startStep / total)} ETA ? | - img/s | D - G - | D(x) - D(G(z)) -`, true);
    return {
      update(s) {
        const ips = speed(s);
        line.set(
          `step ${s.step}/${total} ${bar(s.step / total)} ETA ${eta(s, ips)} | ${ips.toFixed(1)} img/s | ` +
            `D ${fmt(s.lossD)} G ${fmt(s.lossG)} | D(x) ${fmt(s.dReal, 2)} D(G(z)) ${fmt(s.dFake, 2)}`,
          s.step === total,
        );
      },
      log: (message) => line.log(message),
      stop: () => line.stop(),
    };
  }

  let lastPrint = 0;
  return {
    update(s) {
      const ips = speed(s);
      const now = Date.now();
      if (now - lastPrint < 5000 && s.step !== total && s.step !== startStep + 1) return;
      lastPrint = now;
      process.stderr.write(
        `step ${s.step}/${total}  lossD ${fmt(s.lossD)}  lossG ${fmt(s.lossG)}  D(x) ${fmt(s.dReal, 2)}  D(G(z)) ${fmt(s.dFake, 2)}  ` +
          `|gD| ${fmt(s.gradNormD, 2)}  |gG| ${fmt(s.gradNormG, 2)}  ${ips.toFixed(1)} img/s  ETA ${eta(s, ips)}\n`,
      );
    },
    log(message) {
      process.stderr.write(`${message}\n`);
    },
    stop() {},
  };
}

/** Import progress: a bar on a TTY, a line per quarter otherwise. Once stopped it draws nothing more. */
export function importProgress(tty = Boolean(process.stderr.isTTY)) {
  let line: LiveLine | null = null;
  let stopped = false;
  let lastQuarter = -1;
  return {
    update(p: { phase: string; done: number; total: number }) {
      if (stopped || p.phase !== 'decode' || p.total === 0) return;
      if (tty) {
        line ??= new LiveLine();
        line.set(`importing ${bar(p.done / p.total)} ${p.done}/${p.total} images`, p.done === p.total);
      } else {
        const quarter = Math.floor((4 * p.done) / p.total);
        if (quarter !== lastQuarter) {
          lastQuarter = quarter;
          process.stderr.write(`importing: ${p.done}/${p.total} images\n`);
        }
      }
    },
    /** Print a message without breaking the bar (a signal or a warning during the import). */
    log(message: string) {
      if (line) line.log(message);
      else process.stderr.write(`${message}\n`);
    },
    /** Leave the bar as it stands on a line of its own; later updates (late decodes) are ignored. */
    stop() {
      stopped = true;
      line?.stop();
      line = null;
    },
  };
}

/** Generation progress: a bar on a TTY; off a TTY, a line per quarter for big batches only (small ones just finish). */
export function imageProgress(total: number, tty = Boolean(process.stderr.isTTY)) {
  let line: LiveLine | null = null;
  let lastQuarter = 0;
  const started = Date.now();
  return {
    update(done: number) {
      if (tty) {
        line ??= new LiveLine();
        const eta = done > 0 ? formatDuration((((Date.now() - started) / done) * (total - done)) / 1000) : '?';
        line.set(`generating ${bar(done / total)} ${done}/${total} images | ETA ${eta}`, done === total);
      } else if (total >= 1000) {
        const quarter = Math.floor((4 * done) / total);
        if (quarter > lastQuarter && done < total) process.stderr.write(`generating: ${done}/${total} images\n`);
        lastQuarter = Math.max(lastQuarter, quarter);
      }
    },
    stop() {
      line?.stop();
      line = null;
    },
  };
}
