import { describe, expect, it } from 'vitest';
import { CONTEXT_PREVIEW_MAX_BYTES, CONTEXT_PREVIEW_MAX_STRING, previewContext } from './preview-context';

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('previewContext', () => {
  it('returns a small context whole, not marked as cut', () => {
    const context = { user_info: { email: 'ann@example.com', name: 'Ann', plan: 'pro' }, tags: ['a', 'b'], count: 3, ok: true, none: null };
    expect(previewContext(context)).toEqual({ context, truncated: false });
  });

  it('keeps shallow fields such as the e-mail when a large payload sits next to them, within the byte bound', () => {
    const context = {
      attachments: Array.from({ length: 200 }, (_, index) => ({ name: `file-${index}.pdf`, body: 'x'.repeat(10_000) })),
      notes: 'n'.repeat(400_000),
      user_info: { email: 'bo@example.com', name: 'Bo', address: { city: 'Lyon', lines: ['1 rue', 'x'.repeat(500)] } },
    };
    expect(bytes(context)).toBeGreaterThan(2_000_000);
    const { context: preview, truncated } = previewContext(context);
    expect(truncated).toBe(true);
    expect(bytes(preview)).toBeLessThanOrEqual(CONTEXT_PREVIEW_MAX_BYTES);
    expect(preview.user_info).toMatchObject({ email: 'bo@example.com', name: 'Bo' });
    expect(preview.notes).toBe(`${'n'.repeat(CONTEXT_PREVIEW_MAX_STRING)}…`);
  });

  it('cuts strings on code-point boundaries and stays under the bound with multi-byte text', () => {
    const { context: preview, truncated } = previewContext({
      a: `${'é'.repeat(CONTEXT_PREVIEW_MAX_STRING - 1)}😀😀`,
      ...Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`k${index}`, '漢字'.repeat(40)])),
    });
    expect(truncated).toBe(true);
    expect(preview.a).toBe(`${'é'.repeat(CONTEXT_PREVIEW_MAX_STRING - 1)}…`);
    expect(bytes(preview)).toBeLessThanOrEqual(CONTEXT_PREVIEW_MAX_BYTES);
  });

  it('leaves out what is nested deeper than four levels, and drops objects that got nothing in', () => {
    const { context: preview, truncated } = previewContext({
      a: { b: { c: { d: { e: 'deep' }, kept: 1 } } },
      hollow: { only: { deeper: { still: { e: 1 } } } },
    });
    expect(truncated).toBe(true);
    expect(preview).toEqual({ a: { b: { c: { kept: 1 } } } });
  });

  it('keeps a key named __proto__ as a key', () => {
    const context = JSON.parse('{"__proto__": {"polluted": true}, "email": "cy@example.com"}') as Record<string, unknown>;
    const { context: preview } = previewContext(context);
    expect(Object.getPrototypeOf(preview)).toBe(Object.prototype);
    expect(JSON.stringify(preview)).toBe('{"__proto__":{"polluted":true},"email":"cy@example.com"}');
  });
});
