import { describe, expect, it } from 'vitest';
import { lossScale } from '@renderer/lib/loss-scale';

describe('lossScale', () => {
  it('fixes D to 0–1 only where D logs probabilities', () => {
    expect(lossScale('nonsaturating').dRange).toEqual({ min: 0, max: 1 });
    expect(lossScale(null).dRange).toEqual({ min: 0, max: 1 });
    expect(lossScale('minimax').dHint).toContain('0.5 = D cannot tell');
    for (const raw of ['hinge', 'wgan', 'wgan-gp', 'lsgan'] as const) expect(lossScale(raw).dRange, raw).toBeNull(); // 18.8 or −27 must stay on the chart
  });

  it('says what each loss means at its own scale', () => {
    expect(lossScale('hinge').lossHint).toContain('loss D = 2 when D cannot tell');
    expect(lossScale('hinge').dLines.map((l) => l.y)).toEqual([1, -1]);
    expect(lossScale('wgan-gp').lossHint).toContain('Wasserstein distance');
    expect(lossScale('wgan').dHint).toContain('only the gap');
    expect(lossScale('lsgan').lossHint).toContain('0.25');
    expect(lossScale('nonsaturating').lossHint).toContain('1.39');
  });
});
