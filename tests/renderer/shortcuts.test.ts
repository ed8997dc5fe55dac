import { describe, expect, it } from 'vitest';
import { dispatchShortcut, matchesShortcut, shortcutLabel } from '../../src/renderer/src/lib/shortcuts';

describe('keyboard shortcuts', () => {
  const key = (k: string, mods: Partial<KeyboardEventInit> = {}) => new KeyboardEvent('keydown', { key: k, ...mods });

  it('matches keys with modifiers exactly', () => {
    expect(matchesShortcut(key(' '), 'Space')).toBe(true);
    expect(matchesShortcut(key('Enter', { ctrlKey: true }), 'Ctrl+Enter')).toBe(true);
    expect(matchesShortcut(key('Enter'), 'Ctrl+Enter')).toBe(false);
    expect(matchesShortcut(key('Escape'), 'Escape')).toBe(true);
    expect(matchesShortcut(key('Escape', { shiftKey: true }), 'Escape')).toBe(false);
    expect(shortcutLabel('Ctrl+Enter')).toBe('Ctrl+Enter');
    expect(shortcutLabel('Escape')).toBe('Esc');
  });

  it('runs the first applicable shortcut, and not while typing in a field', () => {
    const calls: string[] = [];
    const shortcuts = [
      { keys: 'Space', when: () => false, run: () => calls.push('never') },
      { keys: 'Space', run: () => calls.push('pause') },
      { keys: 'Ctrl+Enter', run: () => calls.push('start') },
    ];
    expect(dispatchShortcut(key(' '), shortcuts)).toBe(true);
    const input = document.createElement('input');
    document.body.append(input);
    const typing = new KeyboardEvent('keydown', { key: ' ', bubbles: true });
    Object.defineProperty(typing, 'target', { value: input });
    expect(dispatchShortcut(typing, shortcuts)).toBe(false);
    const ctrlEnter = new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true });
    Object.defineProperty(ctrlEnter, 'target', { value: input });
    expect(dispatchShortcut(ctrlEnter, shortcuts)).toBe(true); // modifiers work in fields
    expect(calls).toEqual(['pause', 'start']);
    input.remove();
  });
});
