import { describe, expect, it } from 'vitest';
import { keyContextFields } from './context-fields';

describe('keyContextFields', () => {
  it('puts the e-mail first, then the name', () => {
    const context = { billing_info: { payment_method: 'card' }, user_info: { name: 'Ann', email: 'ann@example.com', plan: 'pro' } };
    expect(keyContextFields(context)).toEqual([
      { path: 'user_info.email', value: 'ann@example.com' },
      { path: 'user_info.name', value: 'Ann' },
    ]);
  });

  it('finds nothing in odd contexts', () => {
    expect(keyContextFields(null)).toEqual([]);
    expect(keyContextFields({ a: [1, 2], b: { c: { d: { e: { email: 'deep@x.y' } } } } })).toEqual([]);
  });
});
