import { describe, expect, it } from 'vitest';
import { nextRowIndex, readShortcut, SHORTCUT_LIST } from './keyboard-shortcuts-model';

describe('readShortcut', () => {
  it('reads / ? j k, and g as the start of a pair', () => {
    expect(readShortcut('/', false)).toEqual({ kind: 'search' });
    expect(readShortcut('?', false)).toEqual({ kind: 'help' });
    expect(readShortcut('j', false)).toEqual({ kind: 'row', direction: 1 });
    expect(readShortcut('k', false)).toEqual({ kind: 'row', direction: -1 });
    expect(readShortcut('g', false)).toEqual({ kind: 'prefix' });
    expect(readShortcut('t', false)).toBeNull();
    expect(readShortcut('J', false)).toBeNull();
  });

  it('after g: t tasks, f failures; anything else does nothing', () => {
    expect(readShortcut('t', true)).toEqual({ kind: 'go', href: '/tasks' });
    expect(readShortcut('f', true)).toEqual({ kind: 'go', href: '/failures' });
    expect(readShortcut('j', true)).toBeNull();
    expect(readShortcut('g', true)).toBeNull();
  });

  it('lists every shortcut it reads', () => {
    const listed = SHORTCUT_LIST.map((shortcut) => shortcut.keys.join(' '));
    expect(listed).toEqual(expect.arrayContaining(['/', 'g t', 'g f', 'j', 'k', '?']));
  });
});

describe('nextRowIndex', () => {
  it('starts at the first row, moves one at a time, and stops at either end', () => {
    expect(nextRowIndex(-1, 1, 3)).toBe(0);
    expect(nextRowIndex(-1, -1, 3)).toBe(0);
    expect(nextRowIndex(0, 1, 3)).toBe(1);
    expect(nextRowIndex(2, 1, 3)).toBe(2);
    expect(nextRowIndex(0, -1, 3)).toBe(0);
    expect(nextRowIndex(0, 1, 0)).toBeNull();
  });
});
