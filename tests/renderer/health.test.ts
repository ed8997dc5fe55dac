import { describe, expect, it } from 'vitest';
import { checkHealth, DEFAULT_HEALTH_RULES, type HealthStats } from '../../src/renderer/src/lib/health';

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
    expect(checkHealth([...steps(100), ...steps(DEFAULT_HEALTH_RULES.dCollapseSteps - 1, () => ({ lossD: 0.001 }), 101)])).toEqual([]);
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
