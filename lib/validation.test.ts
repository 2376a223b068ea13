import { describe, expect, it } from 'vitest';
import { checkJsonSchema, compileContextValidator, compileSchema, TIMESTAMP_PATTERN, toErrorDetails } from './validation';

const registrationSchema = {
  type: 'object',
  required: ['user_info'],
  properties: {
    user_info: {
      type: 'object',
      required: ['email', 'name'],
      properties: {
        email: { type: 'string', format: 'email' },
        name: { type: 'string', minLength: 1 },
        plan: { type: 'string', enum: ['free', 'pro'], default: 'free' },
        address: {
          type: 'object',
          default: {},
          properties: { country: { type: 'string', default: 'NL' } },
        },
      },
    },
    tags: { type: 'array', items: { type: 'string' }, default: [] },
  },
};

describe('compileContextValidator', () => {
  it('applies defaults, nested ones too, to a copy and leaves the caller’s object alone', () => {
    const validate = compileContextValidator(registrationSchema);
    const context = { user_info: { email: 'ada@example.com', name: 'Ada' } };
    const before = structuredClone(context);

    const result = validate(context);

    expect(result).toEqual({
      ok: true,
      value: {
        user_info: { email: 'ada@example.com', name: 'Ada', plan: 'free', address: { country: 'NL' } },
        tags: [],
      },
    });
    expect(context).toEqual(before);
  });

  it('gives every default its own object, so one task cannot change another’s', () => {
    const validate = compileContextValidator(registrationSchema);
    const first = validate({ user_info: { email: 'a@example.com', name: 'A' } });
    const second = validate({ user_info: { email: 'b@example.com', name: 'B' } });
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) {
      expect(first.value.tags).not.toBe(second.value.tags);
    }
  });

  it('lists every violation with its JSON path: format, enum, required nested fields, types', () => {
    const validate = compileContextValidator(registrationSchema);

    const result = validate({ user_info: { email: 'not-an-email', plan: 'gold' }, tags: [1] });

    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual(
      expect.arrayContaining([
        { path: '/user_info/email', message: 'must be an email address' },
        { path: '/user_info/plan', message: "must be one of: 'free', 'pro'" },
        { path: '/user_info/name', message: 'is required' },
        { path: '/tags/0', message: 'must be string' },
      ]),
    );
    expect(result.ok ? [] : result.errors).toHaveLength(4);
  });

  it('reports a missing top-level object at its own path', () => {
    const result = compileContextValidator(registrationSchema)({});
    expect(result).toEqual({ ok: false, errors: [{ path: '/user_info', message: 'is required' }] });
  });

  it('refuses a context that is not an object', () => {
    const validate = compileContextValidator({ type: 'object' });
    expect(validate([])).toEqual({ ok: false, errors: [{ path: '', message: 'must be object' }] });
    expect(validate('text')).toEqual({ ok: false, errors: [{ path: '', message: 'must be object' }] });
  });

  it('refuses prototype-polluting keys at any depth', () => {
    const validate = compileContextValidator({ type: 'object' });
    const context = JSON.parse('{"a": {"__proto__": {"polluted": true}}, "constructor": {"prototype": 1}}') as unknown;

    const result = validate(context);

    expect(result).toEqual({
      ok: false,
      errors: [
        { path: '/a/__proto__', message: "key '__proto__' is not allowed" },
        { path: '/constructor', message: "key 'constructor' is not allowed" },
      ],
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses values JSON cannot hold', () => {
    const validate = compileContextValidator({ type: 'object' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(validate({ when: new Date(0) })).toEqual({ ok: false, errors: [{ path: '/when', message: 'is not a plain JSON object' }] });
    expect(validate({ n: Number.NaN })).toEqual({ ok: false, errors: [{ path: '/n', message: 'must be a finite number' }] });
    expect(validate(cyclic)).toEqual({ ok: false, errors: [{ path: '/self', message: 'contains a reference to itself' }] });
  });

  it('escapes keys in paths as JSON Pointer does', () => {
    const validate = compileContextValidator({ type: 'object', properties: { 'a/b~c': { type: 'string' } } });
    expect(validate({ 'a/b~c': 1 })).toEqual({ ok: false, errors: [{ path: '/a~1b~0c', message: 'must be string' }] });
  });

  it('reports a bad property name once, at the property', () => {
    const validate = compileContextValidator({ type: 'object', propertyNames: { maxLength: 3 } });
    expect(validate({ ok: 1, toolong: 2 })).toEqual({
      ok: false,
      errors: [{ path: '/toolong', message: 'property name must NOT have more than 3 characters' }],
    });
  });

  it('reuses the compiled validator for the same schema, even as a new object', () => {
    const first = compileContextValidator({ type: 'object', properties: { x: { type: 'integer' } } });
    const second = compileContextValidator({ type: 'object', properties: { x: { type: 'integer' } } });
    expect(second).toBe(first);
  });

  it('reports unknown keys at their own path', () => {
    const validate = compileContextValidator({ type: 'object', additionalProperties: false, properties: { a: {} } });
    expect(validate({ a: 1, b: 2 })).toEqual({ ok: false, errors: [{ path: '/b', message: "unknown key 'b'" }] });
  });
});

describe('compileSchema', () => {
  type Body = { name: string; limit: number };
  const validateBody = compileSchema<Body>({
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: { name: { type: 'string' }, limit: { type: 'integer', default: 50 } },
  });

  it('returns the typed value with defaults', () => {
    expect(validateBody({ name: 'x' })).toEqual({ ok: true, value: { name: 'x', limit: 50 } });
  });

  it('does not coerce types', () => {
    expect(validateBody({ name: 'x', limit: '5' })).toEqual({ ok: false, errors: [{ path: '/limit', message: 'must be integer' }] });
  });

  it('refuses prototype-polluting keys', () => {
    const body = JSON.parse('{"name": "x", "__proto__": {"admin": true}}') as unknown;
    expect(validateBody(body)).toEqual({ ok: false, errors: [{ path: '/__proto__', message: "key '__proto__' is not allowed" }] });
  });

  it('says what a time must look like, not its regular expression', () => {
    const validateTime = compileSchema<{ at: string }>({ type: 'object', properties: { at: { type: 'string', pattern: TIMESTAMP_PATTERN } } });
    expect(validateTime({ at: '2026-12-05T04:30:00Z' }).ok).toBe(true);
    expect(validateTime({ at: 'yesterday' })).toEqual({
      ok: false,
      errors: [{ path: '/at', message: 'must be an ISO 8601 date or date-time, e.g. 2026-12-05 or 2026-12-05T04:30:00Z' }],
    });
  });
});

describe('checkJsonSchema', () => {
  it('accepts a valid schema', () => {
    expect(checkJsonSchema(registrationSchema)).toEqual([]);
  });

  it('reports a bad type once, at its path', () => {
    expect(checkJsonSchema({ type: 'object', properties: { email: { type: 'strang' } } })).toEqual([
      {
        path: '/properties/email/type',
        message: "must be one of: 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string'",
      },
    ]);
  });

  it('reports meta-schema violations at their paths', () => {
    expect(checkJsonSchema({ type: 'object', required: 'email', properties: { n: { minimum: 'x' } } })).toEqual([
      { path: '/required', message: 'must be array' },
      { path: '/properties/n/minimum', message: 'must be number' },
    ]);
  });

  it('reports an unknown format, keyword, $ref or regular expression where it is', () => {
    expect(checkJsonSchema({ type: 'object', properties: { email: { type: 'string', format: 'emial' } } })).toEqual([
      { path: '/properties/email', message: "unknown format 'emial'" },
    ]);
    expect(checkJsonSchema({ type: 'object', properties: { a: { type: 'object', propertes: {} } } })).toEqual([
      { path: '/properties/a/propertes', message: "unknown keyword 'propertes'" },
    ]);
    expect(checkJsonSchema({ type: 'object', properties: { a: { $ref: '#/definitions/missing' } } })).toEqual([
      {
        path: '/properties/a/$ref',
        message: "cannot resolve $ref '#/definitions/missing' (only local references such as '#/definitions/x' are supported)",
      },
    ]);
    const [regexError] = checkJsonSchema({ type: 'object', properties: { a: { type: 'string', pattern: '([' } } });
    expect(regexError?.path).toBe('/properties/a/pattern');
  });

  it('finds an unknown keyword in a schema, not a property that happens to share its name', () => {
    expect(checkJsonSchema({ type: 'object', properties: { propertes: { type: 'string' } }, items: { propertes: 1 } })).toEqual([
      { path: '/items/propertes', message: "unknown keyword 'propertes'" },
    ]);
  });

  it('refuses a $schema other than draft-07, and non-objects', () => {
    expect(checkJsonSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema' })).toEqual([
      { path: '/$schema', message: "unsupported $schema 'https://json-schema.org/draft/2020-12/schema'; omit it (draft-07 is used)" },
    ]);
    expect(checkJsonSchema(['type'])).toEqual([{ path: '', message: 'must be a JSON Schema object' }]);
  });

  it('lets two schemas reuse one $id', () => {
    expect(checkJsonSchema({ $id: 'context', type: 'object' })).toEqual([]);
    expect(checkJsonSchema({ $id: 'context', type: 'object', properties: { a: { type: 'string' } } })).toEqual([]);
  });
});

describe('toErrorDetails', () => {
  it('prefixes paths with the root path', () => {
    expect(
      toErrorDetails(
        [{ instancePath: '/a', schemaPath: '#/required', keyword: 'required', params: { missingProperty: 'b' }, message: 'x' }],
        '/context',
      ),
    ).toEqual([{ path: '/context/a/b', message: 'is required' }]);
  });

  it('returns nothing for no errors', () => {
    expect(toErrorDetails(null)).toEqual([]);
  });
});
