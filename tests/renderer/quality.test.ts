/** The quality curves' maths and words (lib/quality): merging evaluations, their cost, the warnings. */
import { describe, expect, it } from 'vitest';
import { evaluationCost, qualitySeries, qualityWarnings, upsertMetrics } from '@renderer/lib/quality';
import { metricsPoint } from './fixtures';

describe('quality curves', () => {
  it('merges evaluations by step, ascending, a re-evaluated step replaced', () => {
    let list = [metricsPoint(0), metricsPoint(200)];
    list = upsertMetrics(list, metricsPoint(100, { swd: 50 }));
    list = upsertMetrics(list, metricsPoint(200, { swd: 10 }));
    expect(list.map((m) => [m.step, m.swd])).toEqual([
      [0, 100],
      [100, 50],
      [200, 10],
    ]);
    expect(qualitySeries(list, 'swd', 'SWD', 2)).toEqual({
      name: 'SWD',
      x: [0, 100, 200],
      y: [100, 50, 10],
      t: list.map((m) => m.time),
      color: 2,
    });
  });

  it('says what the evaluations cost, against held-out or training images', () => {
    expect(evaluationCost([])).toBeNull();
    const line = evaluationCost([metricsPoint(0, { seconds: 1.5 }), metricsPoint(100, { seconds: 2.25 })]);
    expect(line).toBe('Last evaluation 2.3 s (256 samples against 300 held-out images); 2 so far, 3.75 s in all.');
    expect(evaluationCost([metricsPoint(0, { heldout: false, reals: 40 })])).toContain('against 40 training images');
  });

  it('warns of collapse after step 0 and of a missing held-out split', () => {
    expect(qualityWarnings([metricsPoint(0, { diversity: 0.1 })])).toEqual([]); // G at init is not a collapse
    expect(qualityWarnings([metricsPoint(500, { diversity: 0.3 })])[0]).toMatch(
      /^Diversity is 0\.3 at step 500: .*mode collapse/,
    );
    expect(qualityWarnings([metricsPoint(500, { diversity: 0.9 })])).toEqual([]);
    // young and never varied: not yet a collapse; varied, then lost it: a collapse at any step
    expect(qualityWarnings([metricsPoint(200, { diversity: 0.11 })])).toEqual([]);
    expect(qualityWarnings([metricsPoint(100, { diversity: 0.8 }), metricsPoint(200, { diversity: 0.11 })])[0]).toMatch(
      /^Diversity is 0\.11 at step 200: .*mode collapse/,
    );
    expect(qualityWarnings([metricsPoint(500, { heldout: false })])[0]).toMatch(/too small to hold images out/);
  });
});
