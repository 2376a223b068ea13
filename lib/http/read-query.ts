import { taskFilterSchema } from '../api/schemas/task-filter-schema';
import { InvalidInputError } from '../errors';
import { isStorableText } from '../storable-text';
import type { ValidationResult } from '../validation';
import { unstorableTextError } from './unstorable-text-error';

type PropertySchemas = { properties: Readonly<Record<string, unknown>> };

function typeOf(schema: PropertySchemas, key: string): string | undefined {
  const type = Object.hasOwn(schema.properties, key) ? (schema.properties[key] as { type?: unknown } | undefined)?.type : undefined;
  return typeof type === 'string' ? type : undefined;
}

function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/**
 * Reads the query string as its schema describes it: lists from repeated or comma-separated values,
 * numbers and booleans from their text (left as text when they are not, so the schema reports them),
 * empty values as absent. Then validates: 422 with every problem, paths like `/limit`. A name or value
 * PostgreSQL cannot store (`%00`) is refused first: 422 at `query.<name>`.
 */
export function readQuery<T>(request: Request, schema: PropertySchemas, validate: (value: unknown) => ValidationResult<T>): T {
  const params = new URL(request.url).searchParams;
  // No prototype: a parameter named __proto__ becomes a key the schema refuses, not the object's prototype.
  const query = Object.create(null) as Record<string, unknown>;
  for (const key of new Set(params.keys())) {
    // `%00` decodes to NUL, which no statement can carry (a lone surrogate cannot come out of URL decoding).
    if (!isStorableText(key) || !params.getAll(key).every(isStorableText)) {
      throw unstorableTextError(`query.${key}`, 'The query string');
    }
    const values = params.getAll(key).filter((value) => value.trim() !== '');
    if (values.length === 0) {
      continue;
    }
    const type = typeOf(schema, key);
    if (type === 'array') {
      query[key] = splitList(values);
    } else if (values.length > 1) {
      query[key] = values;
    } else {
      const value = values[0] ?? '';
      if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value.trim())) {
        query[key] = Number(value);
      } else if (type === 'boolean' && (value === 'true' || value === 'false')) {
        query[key] = value === 'true';
      } else {
        query[key] = value;
      }
    }
  }
  const result = validate(query);
  if (!result.ok) {
    throw new InvalidInputError(result.errors, 'The query string is invalid');
  }
  return result.value;
}

/** In a JSON body's filter, a list may be given as a comma-separated string, as in the query string. */
function splitListStrings(value: unknown, schema: PropertySchemas): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return value;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [key, item] of Object.entries(copy)) {
    if (typeOf(schema, key) === 'array' && typeof item === 'string') {
      copy[key] = splitList([item]);
    } else if (typeof item === 'string' && item.trim() === '') {
      delete copy[key];
    }
  }
  return copy;
}

/** Bulk retry's body: in its `filter`, a list may be one comma-separated string, as in GET /tasks's query string. */
export function splitFilterLists(body: unknown): unknown {
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, 'filter')) {
    const { filter } = body as { filter: unknown };
    return { ...body, filter: splitListStrings(filter, taskFilterSchema) };
  }
  return body;
}
