import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, KeepAlive, nextTick, ref } from 'vue';
import ShortcutsHelp from '@renderer/components/ShortcutsHelp.vue';
import { confirmDestructive } from '@renderer/lib/confirm';
import {
  activeShortcuts,
  dispatchShortcut,
  matchesShortcut,
  shortcutLabel,
  useShortcuts,
} from '@renderer/lib/shortcuts';

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

describe('shortcuts belong to the view that is shown', () => {
  const press = (k: string, mods: Partial<KeyboardEventInit> = {}) =>
    window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, ...mods }));

  /** A view with one shortcut, R, that records its name. */
  const viewWith = (name: string, calls: string[]) =>
    defineComponent({
      name,
      setup() {
        useShortcuts([{ keys: 'r', label: `${name} action`, run: () => calls.push(name) }]);
        return () => h('div', name);
      },
    });

  it('a kept-alive view that is hidden does not react to its keys', async () => {
    const calls: string[] = [];
    const A = viewWith('A', calls);
    const B = viewWith('B', calls);
    const current = ref<'A' | 'B'>('A');
    const wrapper = mount(
      defineComponent({
        setup: () => () => h(KeepAlive, null, [h(current.value === 'A' ? A : B, { key: current.value })]),
      }),
      { attachTo: document.body },
    );
    await nextTick();
    press('r');
    expect(calls).toEqual(['A']);
    current.value = 'B';
    await nextTick();
    press('r');
    expect(calls).toEqual(['A', 'B']); // A, kept alive but hidden, stays silent
    expect(activeShortcuts.value.map((s) => s.label)).toEqual(['B action']);
    current.value = 'A';
    await nextTick();
    press('r');
    expect(calls).toEqual(['A', 'B', 'A']);
    wrapper.unmount();
    press('r');
    expect(calls).toHaveLength(3);
    expect(activeShortcuts.value).toEqual([]);
  });

  it('? (with Shift, as typed) lists the shortcuts of the shown view', async () => {
    const calls: string[] = [];
    const A = viewWith('A', calls);
    const wrapper = mount(defineComponent({ setup: () => () => h('div', [h(A), h(ShortcutsHelp)]) }), {
      attachTo: document.body,
    });
    await nextTick();
    expect(matchesShortcut(new KeyboardEvent('keydown', { key: '?', shiftKey: true }), '?')).toBe(true);
    press('?', { shiftKey: true });
    await nextTick();
    await nextTick();
    const list = document.querySelector('[data-testid="shortcut-list"]');
    expect(list?.textContent).toContain('A action');
    expect(list?.textContent).toContain('Show this list');
    wrapper.unmount();
  });
});

describe('destructive confirmations', () => {
  it('do not focus the destructive button, so Enter cannot confirm by accident', async () => {
    const answer = confirmDestructive({
      title: 'Stop training?',
      message: 'It stops.',
      confirm: 'Stop',
      cancel: 'Keep training',
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
    const buttons = [...document.querySelectorAll<HTMLButtonElement>('.el-message-box__btns button')];
    const stop = buttons.find((b) => b.textContent?.trim() === 'Stop');
    expect(stop).toBeTruthy();
    expect(document.activeElement).not.toBe(stop);
    expect(document.activeElement?.closest('.el-message-box')).toBeTruthy(); // the dialog has focus, not the page behind it
    buttons.find((b) => b.textContent?.trim() === 'Keep training')!.click();
    expect(await answer).toBe(false);
  });
});
