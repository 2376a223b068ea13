/** What a key pressed outside a text field does; `g` waits for a second key (see readShortcut). */
export type ShortcutAction =
  { kind: 'search' } | { kind: 'go'; href: string } | { kind: 'row'; direction: 1 | -1 } | { kind: 'help' } | { kind: 'prefix' };

/** `g` then one of these, within GO_PREFIX_MS. */
const GO_TARGETS: Record<string, { href: string; label: string }> = {
  t: { href: '/tasks', label: 'Tasks' },
  f: { href: '/failures', label: 'Failures' },
  o: { href: '/', label: 'Overview' },
  s: { href: '/services', label: 'Services' },
  p: { href: '/templates', label: 'Templates' },
};

export const GO_PREFIX_MS = 1500;

/** Every shortcut, as the `?` dialog lists them. */
export const SHORTCUT_LIST: { keys: string[]; description: string }[] = [
  { keys: ['/'], description: 'Search tasks: the page’s search field, or the task list’s' },
  ...Object.entries(GO_TARGETS).map(([key, target]) => ({ keys: ['g', key], description: `Go to ${target.label}` })),
  { keys: ['j'], description: 'Next row (task list, failures, templates)' },
  { keys: ['k'], description: 'Previous row' },
  { keys: ['Enter'], description: 'Open the focused row, or the focused step of a graph' },
  { keys: ['Esc'], description: 'Close the step panel (focus goes back to its step) or a dialog' },
  { keys: ['?'], description: 'Show this list' },
];

/**
 * The action of `key`, given whether a `g` came just before (`afterG`). Unknown keys, and a `g`
 * followed by anything but a target, do nothing. Callers ignore keys with Ctrl, Alt or Meta and keys
 * typed in a field.
 */
export function readShortcut(key: string, afterG: boolean): ShortcutAction | null {
  if (afterG) {
    const target = GO_TARGETS[key];
    return target ? { kind: 'go', href: target.href } : null;
  }
  switch (key) {
    case '/':
      return { kind: 'search' };
    case '?':
      return { kind: 'help' };
    case 'g':
      return { kind: 'prefix' };
    case 'j':
      return { kind: 'row', direction: 1 };
    case 'k':
      return { kind: 'row', direction: -1 };
    default:
      return null;
  }
}

/** The next row's index among `count` rows from `current` (-1: none focused yet: j and k start at the first). */
export function nextRowIndex(current: number, direction: 1 | -1, count: number): number | null {
  if (count === 0) {
    return null;
  }
  if (current < 0) {
    return 0;
  }
  return Math.min(Math.max(current + direction, 0), count - 1);
}
