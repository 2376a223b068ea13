/**
 * Building blocks of the API's JSON Schemas (request-schemas.ts, response-schemas.ts). Every part is a
 * literal (`as const`), so `FromSchema` (json-schema-to-ts) reads the TypeScript type out of the same
 * object that Ajv validates with and the OpenAPI document prints. Schemas must hold in both JSON Schema
 * draft-07 (the validator) and 2020-12 (OpenAPI 3.1): no `$ref`, `$defs`, `nullable` or tuple `items`.
 */

/** An object whose properties are all required unless named in `optional`; any other key is refused. */
export function object<const P extends Record<string, object>, const O extends keyof P & string = never>(
  properties: P,
  { optional = [], description }: { optional?: readonly O[]; description?: string } = {},
) {
  const optionalKeys: readonly string[] = optional;
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((key) => !optionalKeys.includes(key)) as Exclude<keyof P & string, O>[],
    additionalProperties: false,
    ...(description === undefined ? {} : { description }),
  } as const;
}

/** A free-form JSON object (a task's context, a template definition): any keys, any values. */
export const freeObject = <const D extends string>(description: D) => ({ type: 'object', additionalProperties: true, description }) as const;

/** Any JSON value (a step's results, an audit row's details). */
export const anyValue = <const D extends string>(description: D) => ({ description }) as const;

export const string = { type: 'string' } as const;
export const nullableString = { type: ['string', 'null'] } as const;
export const integer = { type: 'integer' } as const;
export const nullableInteger = { type: ['integer', 'null'] } as const;
export const boolean = { type: 'boolean' } as const;
export const time = { type: 'string', format: 'date-time' } as const;
export const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
/** Ids are decimal strings (bigints would not fit a JSON number everywhere). */
export const id = { type: 'string', pattern: '^[0-9]+$' } as const;
export const nullableId = { type: ['string', 'null'], pattern: '^[0-9]+$' } as const;

export const nullable = <const S extends object>(schema: S) => ({ anyOf: [schema, { type: 'null' }] }) as const;
export const arrayOf = <const S extends object>(items: S) => ({ type: 'array', items }) as const;
export const oneOfValues = <const V extends readonly (string | null)[]>(values: V) => ({ enum: values }) as const;

/** Adds a description (the OpenAPI document shows it) without changing the type. */
export const described = <const S extends object, const D extends string>(schema: S, description: D) =>
  ({ ...schema, description }) as S & { description: D };

/** The roles, lowest first, as lib/auth/roles.ts ranks them (a test keeps the two equal). */
export const ROLES = ['viewer', 'operator', 'admin'] as const;

/** How a demo service can be made to behave, as lib/demo/demo-services.ts names them (a test keeps the two equal). */
export const DEMO_SERVICE_MODES = ['up', 'down', 'slow', 'flaky', 'rate_limited', 'reject'] as const;
