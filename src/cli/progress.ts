/**
 * Training and import progress for the terminal: a live bar on a TTY, plain
 * log lines (about one every few seconds) when output goes to a file or a pipe.
 */
import cliProgress from 'cli-progress';
import type { StepStats } from '../engine/run/stats-log';

const fmt = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

export function formatDuration(seconds: number): string {
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

export function stepProgress(startStep: number, total: number, batchSize: number, tty = Boolean(process.stderr.isTTY)): StepProgress {
  // img/s over the last steps, so ETA follows the current speed rather than the warm-up.
  const recent: number[] = [];
  const speed = (s: StepStats) => {
    recent.push(s.imgPerSec);
    if (recent.length > 20) recent.shift();
    return recent.reduce((a, b) => a + b, 0) / recent.length;
  };
  const eta = (s: StepStats, imgPerSec: number) => formatDuration(((total - s.step) * batchSize) / imgPerSec);

  if (tty) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'step {value}/{total} {bar} {ips} img/s | D {lossD} G {lossG} | D(x) {dReal} D(G(z)) {dFake} | ETA {etaText}',
        barsize: 24,
        hideCursor: true,
        stream: process.stderr,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, startStep, { ips: '-', lossD: '-', lossG: '-', dReal: '-', dFake: '-', etaText: '?' });
    return {
      update(s) {
        const ips = speed(s);
        bar.update(s.step, {
          ips: ips.toFixed(1),
          lossD: fmt(s.lossD),
          lossG: fmt(s.lossG),
          dReal: fmt(s.dReal, 2),
          dFake: fmt(s.dFake, 2),
          etaText: eta(s, ips),
        });
      },
      log(message) {
        process.stderr.write(`\r\x1b[2K${message}\n`);
        bar.render();
      },
      stop() {
        bar.stop();
      },
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

/** Import progress: a bar on a TTY, a line per quarter otherwise. */
export function importProgress(tty = Boolean(process.stderr.isTTY)) {
  let bar: cliProgress.SingleBar | null = null;
  let phase = '';
  let lastQuarter = -1;
  return {
    update(p: { phase: string; done: number; total: number }) {
      if (p.phase !== 'decode' || p.total === 0) return;
      if (tty) {
        if (!bar || phase !== p.phase) {
          bar?.stop();
          bar = new cliProgress.SingleBar({ format: 'importing {bar} {value}/{total} images', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
          bar.start(p.total, p.done);
        }
        bar.update(p.done);
      } else {
        const quarter = Math.floor((4 * p.done) / p.total);
        if (quarter !== lastQuarter) {
          lastQuarter = quarter;
          process.stderr.write(`importing: ${p.done}/${p.total} images\n`);
        }
      }
      phase = p.phase;
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/** Generation progress: a bar on a TTY; off a TTY, a line per quarter for big batches only (small ones just finish). */
export function imageProgress(total: number, tty = Boolean(process.stderr.isTTY)) {
  let bar: cliProgress.SingleBar | null = null;
  let lastQuarter = 0;
  return {
    update(done: number) {
      if (tty) {
        if (!bar) {
          bar = new cliProgress.SingleBar({ format: 'generating {bar} {value}/{total} images | ETA {eta_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
          bar.start(total, done);
        }
        bar.update(done);
      } else if (total >= 1000) {
        const quarter = Math.floor((4 * done) / total);
        if (quarter > lastQuarter && done < total) process.stderr.write(`generating: ${done}/${total} images\n`);
        lastQuarter = Math.max(lastQuarter, quarter);
      }
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
