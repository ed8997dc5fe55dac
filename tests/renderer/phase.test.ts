import { describe, expect, it } from 'vitest';
import { phaseChip } from '@renderer/lib/phase';

describe('the Train view phase chip', () => {
  it("shows the job phase while a job works, and the shown run's status otherwise", () => {
    expect(phaseChip('running', 'running')).toEqual({ text: 'running', type: 'success' });
    expect(phaseChip('paused', null).text).toBe('paused');
    expect(phaseChip('idle', 'finished')).toEqual({ text: 'finished', type: 'success' }); // not "idle"
    expect(phaseChip('idle', 'interrupted')).toEqual({ text: 'interrupted', type: 'warning' });
    expect(phaseChip('idle', 'failed').type).toBe('danger');
    expect(phaseChip('idle', null)).toEqual({ text: 'idle', type: 'info' });
  });
});
