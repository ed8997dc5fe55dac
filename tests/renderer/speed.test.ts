import { describe, expect, it } from 'vitest';
import { activeStepsPerSecond } from '@renderer/lib/speed';

/** Steps `from`…`to` at 10 steps/s starting at wall time `t0` ms. */
const segment = (from: number, to: number, t0: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i, time: t0 + i * 100 }));

describe('activeStepsPerSecond', () => {
  it('measures steady training', () => {
    expect(activeStepsPerSecond(segment(1, 50, 0))).toBeCloseTo(10);
  });

  it('leaves out a pause and the time before a resume', () => {
    const paused = [...segment(1, 20, 0), ...segment(21, 40, 1_900 + 60_000)]; // a one-minute pause after step 20
    expect(activeStepsPerSecond(paused)).toBeCloseTo(10);
    const resumed = [...segment(1, 10, 0), ...segment(11, 30, 3_600_000)]; // resumed an hour later
    expect(activeStepsPerSecond(resumed)).toBeCloseTo(10);
  });

  it('is 0 when unknown', () => {
    expect(activeStepsPerSecond([])).toBe(0);
    expect(activeStepsPerSecond([{ step: 1, time: 5 }])).toBe(0);
  });
});
