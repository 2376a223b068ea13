import { describe, expect, it } from 'vitest';
import { buildResultsSkeleton } from './results-skeleton';

describe('buildResultsSkeleton', () => {
  it('gives the required properties placeholders of their type, and leaves the optional ones out', () => {
    expect(
      buildResultsSkeleton({
        type: 'object',
        required: ['id', 'count', 'seats', 'active', 'tags', 'owner', 'plan', 'note', 'kind', 'maybe'],
        properties: {
          id: { type: 'string', pattern: '^bill_' },
          count: { type: 'integer' },
          seats: { type: 'number', minimum: 1 },
          active: { type: 'boolean' },
          tags: { type: 'array', items: { type: 'string' } },
          owner: { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' }, name: { type: 'string' } } },
          plan: { enum: ['pro', 'free'] },
          note: { type: 'string', default: 'by hand' },
          kind: { const: 'manual' },
          maybe: { type: ['null', 'integer'] },
          optional: { type: 'string' },
        },
      }),
    ).toEqual({ id: '', count: 0, seats: 1, active: false, tags: [], owner: { email: '' }, plan: 'pro', note: 'by hand', kind: 'manual', maybe: 0 });
  });

  it('follows local $refs and allOf, takes the first branch of anyOf, and handles a root that is not an object', () => {
    expect(
      buildResultsSkeleton({
        definitions: {
          money: { type: 'object', required: ['amount', 'currency'], properties: { amount: { type: 'integer' }, currency: { enum: ['EUR'] } } },
        },
        allOf: [
          { required: ['total'], properties: { total: { $ref: '#/definitions/money' } } },
          { required: ['ok'], properties: { ok: { type: 'boolean' } } },
        ],
      }),
    ).toEqual({ total: { amount: 0, currency: 'EUR' }, ok: false });
    expect(buildResultsSkeleton({ anyOf: [{ type: 'string' }, { type: 'integer' }] })).toBe('');
    expect(buildResultsSkeleton({ type: 'array' })).toEqual([]);
    expect(buildResultsSkeleton({})).toEqual({});
  });

  it('stops at a schema that refers to itself', () => {
    const skeleton = buildResultsSkeleton({
      definitions: { node: { type: 'object', required: ['child'], properties: { child: { $ref: '#/definitions/node' } } } },
      $ref: '#/definitions/node',
    });
    expect(JSON.stringify(skeleton).length).toBeLessThan(500);
  });
});
