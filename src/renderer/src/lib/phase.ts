/**
 * What the Train view's phase chip says. While a job works it is the job's
 * phase (starting, importing, running, paused, stopping); otherwise it is the
 * shown run's own status, so a finished run reads "finished", not "idle".
 */
import type { RunStatus, TrainingState } from '@shared/contract';

export type ChipType = 'success' | 'warning' | 'info' | 'danger' | 'primary';

export interface PhaseChip {
  text: string;
  type: ChipType;
}

/** The tag colour of each run status (the phase chip, the runs table). */
export const RUN_STATUS_TYPE: Record<RunStatus, ChipType> = {
  new: 'info',
  running: 'primary',
  paused: 'warning',
  finished: 'success',
  stopped: 'info',
  failed: 'danger',
  interrupted: 'warning',
};

/** The chip for the job phase `phase`, or, when no job is active, for the shown run's status (null: no run shown). */
export function phaseChip(phase: TrainingState['phase'], shownStatus: RunStatus | null): PhaseChip {
  if (phase !== 'idle')
    return { text: phase, type: phase === 'running' ? 'success' : phase === 'paused' ? 'warning' : 'primary' };
  if (shownStatus) return { text: shownStatus, type: RUN_STATUS_TYPE[shownStatus] };
  return { text: 'idle', type: 'info' };
}
