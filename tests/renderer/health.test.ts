import { describe, expect, it } from 'vitest';
import { checkHealth, DEFAULT_HEALTH_RULES, type HealthStats } from '@renderer/lib/health';
import { GRID_GAP, gridSpread, spreadOnShow } from '@renderer/lib/sample-spread';

function steps(n: number, f: (i: number) => Partial<HealthStats> = () => ({}), from = 1): HealthStats[] {
  return Array.from({ length: n }, (_, i) => ({
    step: from + i,
    lossD: 1.2,
    lossG: 0.9,
    dReal: 0.6,
    dFake: 0.4,
    gradNormD: 3,
    gradNormG: 2,
    ...f(i),
  }));
}

describe('checkHealth', () => {
  it('finds nothing in a healthy run', () => {
    expect(checkHealth(steps(500))).toEqual([]);
    expect(checkHealth([])).toEqual([]);
  });

  it('flags D loss stuck near 0 for the last 50+ steps', () => {
    const stats = [...steps(100), ...steps(60, () => ({ lossD: 0.002 }), 101)];
    const issues = checkHealth(stats);
    expect(issues.map((i) => i.id)).toEqual(['d-collapse']);
    expect(issues[0].title).toContain('60 steps');
    expect(issues[0].step).toBe(160);
  });

  it('does not flag a short dip of D loss, or one that recovered', () => {
    expect(
      checkHealth([...steps(100), ...steps(DEFAULT_HEALTH_RULES.dCollapseSteps - 1, () => ({ lossD: 0.001 }), 101)]),
    ).toEqual([]);
    expect(checkHealth([...steps(100, () => ({ lossD: 0.001 })), ...steps(5, () => ({}), 101)])).toEqual([]);
  });

  it('flags gradient norms above 100 in the recent window and names the network and step', () => {
    const stats = steps(100, (i) => (i === 95 ? { gradNormG: 250 } : i === 90 ? { gradNormD: 120 } : {}));
    const issues = checkHealth(stats);
    expect(issues.map((i) => i.id)).toEqual(['grad-explode']);
    expect(issues[0].title).toMatch(/^G gradient norm 250\.0 at step 96/);
  });

  it('forgets a gradient spike that is older than the window', () => {
    const stats = steps(100, (i) => (i === 10 ? { gradNormD: 1e4 } : {}));
    expect(checkHealth(stats)).toEqual([]);
  });

  it('flags NaN as an error at the first step where it appears, first in the list', () => {
    const stats = steps(100, (i) => (i >= 40 ? { lossG: Number.NaN, gradNormG: 500 } : {}));
    const issues = checkHealth(stats);
    expect(issues[0].id).toBe('nan');
    expect(issues[0].severity).toBe('error');
    expect(issues[0].step).toBe(41);
    expect(issues[0].title).toContain('lossG');
    expect(issues.map((i) => i.id)).toContain('grad-explode');
  });
});

describe('vanishing G gradients and mode collapse', () => {
  it('flags ‖∇G‖ ≈ 1e-10 held for a while (the all-white hinge run), not one tiny step', () => {
    expect(checkHealth(steps(100, (i) => ({ gradNormG: i === 99 ? 1e-10 : 2 }))).map((i) => i.id)).toEqual([]);
    const issues = checkHealth(steps(100, (i) => ({ gradNormG: i >= 60 ? 1e-10 : 2 })));
    expect(issues.map((i) => i.id)).toEqual(['g-vanish']);
    expect(issues[0].title).toContain('1.0e-10 for 40 steps');
    expect(issues[0].detail).toMatch(/Lower the learning rates/);
  });

  it('flags a sample grid whose tiles no longer differ, with what to try', () => {
    expect(checkHealth(steps(10), DEFAULT_HEALTH_RULES, { step: 400, spread: 0.15, peak: 0.2 })).toEqual([]);
    const issues = checkHealth(steps(10), DEFAULT_HEALTH_RULES, { step: 400, spread: 0.004, peak: 0.15 });
    expect(issues.map((i) => i.id)).toEqual(['mode-collapse']);
    expect(issues[0].title).toContain('step 400');
    expect(issues[0].title).toContain('no longer differ');
    expect(issues[0].detail).toMatch(/Try a lower G learning rate/);
  });

  it("does not call a young G's identical grey tiles a collapse: they never varied yet", () => {
    // Measured on a small-dataset run on 300 tuxpaint stamps: 0.0008 at step 0, 0.0046 at 20, 0.018 at 60, 0.043 at 180.
    expect(checkHealth(steps(10), DEFAULT_HEALTH_RULES, { step: 0, spread: 0.0008, peak: null })).toEqual([]);
    expect(checkHealth(steps(10), DEFAULT_HEALTH_RULES, { step: 60, spread: 0.018, peak: 0.0137 })).toEqual([]);
    // Still identical long after the start: flagged although no grid varied before.
    const late = checkHealth(steps(10), DEFAULT_HEALTH_RULES, {
      step: DEFAULT_HEALTH_RULES.collapseAfterStep,
      spread: 0.001,
      peak: 0.001,
    });
    expect(late.map((i) => i.id)).toEqual(['mode-collapse']);
    expect(late[0].title).toContain('barely differ');
  });
});

describe('spreadOnShow', () => {
  it("gives the newest grid's spread and the highest of the earlier grids still on the timeline", () => {
    const measured = new Map([
      [0, 0.001],
      [100, 0.12],
      [200, 0.005],
    ]);
    const timeline = [0, 100, 200].map((step) => ({ step }));
    expect(spreadOnShow(timeline, measured)).toEqual({ step: 200, spread: 0.005, peak: 0.12 });
    expect(spreadOnShow(timeline.slice(0, 1), measured)).toEqual({ step: 0, spread: 0.001, peak: null });
    expect(spreadOnShow([...timeline, { step: 300 }], measured)).toBeNull(); // the newest is not measured yet
    // A resume from step 0 dropped the grids after it: their spreads no longer count.
    expect(spreadOnShow([{ step: 0 }, { step: 50 }], new Map([...measured, [50, 0.004]]))).toEqual({
      step: 50,
      spread: 0.004,
      peak: 0.001,
    });
  });
});

describe('gridSpread', () => {
  /** An RGBA grid of `columns`×`columns` tiles of `tile` px with 2 px gaps; tile t's pixel p has grey `grey(t, p)`. */
  function grid(columns: number, tile: number, grey: (t: number, p: number) => number) {
    const w = columns * tile + (columns + 1) * GRID_GAP;
    const data = new Uint8ClampedArray(w * w * 4).fill(24);
    for (let t = 0; t < columns * columns; t++)
      for (let p = 0; p < tile * tile; p++) {
        const x = GRID_GAP + (t % columns) * (tile + GRID_GAP) + (p % tile);
        const y = GRID_GAP + Math.floor(t / columns) * (tile + GRID_GAP) + Math.floor(p / tile);
        const i = (y * w + x) * 4;
        data[i] = data[i + 1] = data[i + 2] = grey(t, p);
        data[i + 3] = 255;
      }
    return { data, w };
  }

  it('is 0 for identical (or all-white) tiles and clearly above the collapse level for varied ones', () => {
    const same = grid(8, 28, () => 255);
    expect(gridSpread(same.data, same.w, same.w, 8)).toBe(0);
    const rng = (t: number, p: number) =>
      Math.floor(((((Math.sin(t * 12.9898 + p * 78.233) * 43758.5453) % 1) + 1) % 1) * 255);
    const varied = grid(8, 28, rng);
    expect(gridSpread(varied.data, varied.w, varied.w, 8)!).toBeGreaterThan(0.2);
    const nearly = grid(8, 28, (t, p) => 128 + (rng(t, p) % 3)); // ±1 grey level of noise
    expect(gridSpread(nearly.data, nearly.w, nearly.w, 8)!).toBeLessThan(DEFAULT_HEALTH_RULES.collapseSpread);
    expect(gridSpread(same.data, same.w + 1, same.w, 8)).toBeNull(); // not a grid of 8 columns
  });
});
