/**
 * Keyboard shortcuts. A shortcut is written like "Space", "Ctrl+Enter",
 * "Escape" or "Mod+S" (Mod: Cmd on macOS, Ctrl elsewhere). Shortcuts do not
 * fire while the user types in a text field, except those with a modifier.
 *
 * The views are kept alive (KeepAlive), so a view's shortcuts listen only
 * while it is shown: from activation to deactivation, not from mount to
 * unmount. Otherwise Space in Generate would resume a paused training.
 */
import { computed, onActivated, onBeforeUnmount, onDeactivated, onMounted, shallowReactive } from 'vue';

export interface Shortcut {
  keys: string;
  /** What it does, for the `?` list; a shortcut without one is not listed. */
  label?: string;
  /** Whether it applies right now (e.g. only while training runs). */
  when?: () => boolean;
  run: (event: KeyboardEvent) => void;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform ?? '');

function keyName(event: KeyboardEvent): string {
  if (event.key === ' ' || event.code === 'Space') return 'space';
  if (event.key === 'Esc') return 'escape';
  return event.key.toLowerCase();
}

/** Whether a keyboard event is the shortcut `keys`. */
export function matchesShortcut(event: KeyboardEvent, keys: string): boolean {
  const parts = keys.length === 1 ? [keys] : keys.toLowerCase().split('+');
  const key = (parts.pop() ?? '').toLowerCase();
  const want = { ctrl: false, shift: false, alt: false, meta: false };
  for (const p of parts) {
    if (p === 'ctrl') want.ctrl = true;
    else if (p === 'shift') want.shift = true;
    else if (p === 'alt') want.alt = true;
    else if (p === 'meta' || p === 'cmd') want.meta = true;
    else if (p === 'mod') {
      if (isMac) want.meta = true;
      else want.ctrl = true;
    }
  }
  // A symbol such as "?" needs Shift on most layouts: its key value already says it.
  const shiftFree = key.length === 1 && !/[a-z0-9]/.test(key);
  return (
    keyName(event) === key &&
    event.ctrlKey === want.ctrl &&
    (shiftFree || event.shiftKey === want.shift) &&
    event.altKey === want.alt &&
    event.metaKey === want.meta
  );
}

/** "Ctrl+Enter" as shown in tooltips ("⌘ Enter" on macOS). */
export function shortcutLabel(keys: string): string {
  return keys
    .split('+')
    .map((k) => {
      const l = k.toLowerCase();
      if (l === 'mod') return isMac ? '⌘' : 'Ctrl';
      if (l === 'escape') return 'Esc';
      return k.length === 1 ? k.toUpperCase() : k.charAt(0).toUpperCase() + k.slice(1);
    })
    .join(isMac ? ' ' : '+');
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'range', 'button', 'submit'].includes(type);
  }
  return false;
}

/** Whether a dialog or message box is open: then Space and Esc belong to it. */
function modalOpen(): boolean {
  if (typeof document === 'undefined') return false;
  return Array.from(document.querySelectorAll<HTMLElement>('.el-overlay')).some((el) => el.style.display !== 'none');
}

/** Handle `event` with the first matching shortcut; returns whether one ran. */
export function dispatchShortcut(event: KeyboardEvent, shortcuts: readonly Shortcut[]): boolean {
  const hasModifier = event.ctrlKey || event.metaKey || event.altKey;
  if (!hasModifier && isTyping(event.target)) return false;
  if (modalOpen()) return false;
  for (const s of shortcuts) {
    if (matchesShortcut(event, s.keys) && (s.when?.() ?? true)) {
      event.preventDefault();
      s.run(event);
      return true;
    }
  }
  return false;
}

/** The shortcut sets listening now, in the order they started. */
const listening = shallowReactive(new Set<readonly Shortcut[]>());

/** Every labelled shortcut that works in what is shown now (for the `?` list). */
export const activeShortcuts = computed(() => [...listening].flat().filter((s) => s.label));

/**
 * Listen for `shortcuts` on the window while the calling component is shown:
 * mounted and, inside a KeepAlive, active.
 */
export function useShortcuts(shortcuts: readonly Shortcut[]): void {
  const onKey = (e: KeyboardEvent) => {
    dispatchShortcut(e, shortcuts);
  };
  let on = false;
  const start = () => {
    if (on) return;
    on = true;
    window.addEventListener('keydown', onKey);
    listening.add(shortcuts);
  };
  const stop = () => {
    if (!on) return;
    on = false;
    window.removeEventListener('keydown', onKey);
    listening.delete(shortcuts);
  };
  onMounted(start);
  onActivated(start);
  onDeactivated(stop);
  onBeforeUnmount(stop);
}
