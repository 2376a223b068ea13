import { describe, expect, it } from 'vitest';
import { diffJson, parseJsonText } from './json-diff';

describe('diffJson', () => {
  it('finds changed, added and removed leaves by path', () => {
    const before = { user_info: { email: 'ann@example', name: 'Ann', plan: 'pro' }, tags: ['a', 'b'], old: 1 };
    const after = { user_info: { email: 'ann@example.com', name: 'Ann', plan: 'pro' }, tags: ['a'], extra: { x: true } };
    expect(diffJson(before, after)).toEqual([
      { kind: 'added', path: 'extra', after: { x: true } },
      { kind: 'removed', path: 'old', before: 1 },
      { kind: 'removed', path: 'tags[1]', before: 'b' },
      { kind: 'changed', path: 'user_info.email', before: 'ann@example', after: 'ann@example.com' },
    ]);
  });

  it('is empty for equal values and quotes odd keys', () => {
    expect(diffJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
    expect(diffJson({ 'a-b': 1 }, { 'a-b': 2 })).toEqual([{ kind: 'changed', path: '["a-b"]', before: 1, after: 2 }]);
    expect(diffJson(1, 'x')).toEqual([{ kind: 'changed', path: '(root)', before: 1, after: 'x' }]);
  });
});

describe('parseJsonText', () => {
  it('parses valid JSON and locates syntax errors', () => {
    expect(parseJsonText('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonText('   ')).toMatchObject({ ok: false });
    const broken = parseJsonText('{\n  "a": 1,\n  oops\n}');
    expect(broken.ok).toBe(false);
    if (!broken.ok && broken.line !== undefined) {
      expect(broken.line).toBe(3);
    }
  });
});
