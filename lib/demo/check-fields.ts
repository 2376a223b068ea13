/**
 * A deliberately small body checker for the demo services: they stand in for other teams' services,
 * so they answer 422 the way such a service would, without sharing the app's validator.
 */
export type FieldProblem = { path: string; message: string };

export type FieldSpec =
  | { type: 'string'; required?: boolean; enum?: readonly string[]; format?: 'email'; default?: string }
  | { type: 'boolean'; required?: boolean; default?: boolean }
  | { type: 'integer'; required?: boolean; minimum?: number; maximum?: number; default?: number }
  | { type: 'number'; required?: boolean; minimum?: number; maximum?: number; default?: number }
  | { type: 'object'; required?: boolean; fields?: Record<string, FieldSpec> }
  | { type: 'string_array'; required?: boolean; minItems?: number };

export type CheckedFields = { value: Record<string, unknown>; problems: FieldProblem[] };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Checks `body` against `fields` and fills in defaults. Unknown keys are kept unless `rejectUnknown`,
 * in which case each is a problem.
 */
export function checkFields(
  body: unknown,
  fields: Record<string, FieldSpec>,
  { rejectUnknown = false, path = '' }: { rejectUnknown?: boolean; path?: string } = {},
): CheckedFields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { value: {}, problems: [{ path: path || '/', message: 'must be a JSON object' }] };
  }
  const input = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const value: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(input)) {
    if (!Object.hasOwn(fields, key)) {
      if (rejectUnknown) {
        problems.push({ path: `${path}/${key}`, message: 'is not an allowed field' });
      } else {
        value[key] = item;
      }
    }
  }
  for (const [key, spec] of Object.entries(fields)) {
    const fieldPath = `${path}/${key}`;
    const item = input[key];
    if (item === undefined || item === null) {
      if ('default' in spec && spec.default !== undefined) {
        value[key] = spec.default;
      } else if (spec.required) {
        problems.push({ path: fieldPath, message: 'is required' });
      }
      continue;
    }
    const problem = checkValue(item, spec, fieldPath, problems);
    if (problem) {
      problems.push({ path: fieldPath, message: problem });
    } else {
      value[key] = spec.type === 'object' && spec.fields ? checkFields(item, spec.fields, { path: fieldPath }).value : item;
    }
  }
  return { value, problems };
}

/** The problem with `item`, or undefined; nested object problems are pushed to `problems`. */
function checkValue(item: unknown, spec: FieldSpec, path: string, problems: FieldProblem[]): string | undefined {
  switch (spec.type) {
    case 'string':
      if (typeof item !== 'string' || item.trim() === '') {
        return 'must be a non-empty string';
      }
      if (spec.enum && !spec.enum.includes(item)) {
        return `must be one of ${spec.enum.join(', ')}`;
      }
      if (spec.format === 'email' && !EMAIL.test(item)) {
        return 'must be an email address';
      }
      return undefined;
    case 'boolean':
      return typeof item === 'boolean' ? undefined : 'must be true or false';
    case 'integer':
    case 'number': {
      if (typeof item !== 'number' || !Number.isFinite(item) || (spec.type === 'integer' && !Number.isInteger(item))) {
        return `must be ${spec.type === 'integer' ? 'an integer' : 'a number'}`;
      }
      if (spec.minimum !== undefined && item < spec.minimum) {
        return `must be at least ${spec.minimum}`;
      }
      if (spec.maximum !== undefined && item > spec.maximum) {
        return `must be at most ${spec.maximum}`;
      }
      return undefined;
    }
    case 'object': {
      if (typeof item !== 'object' || Array.isArray(item)) {
        return 'must be an object';
      }
      if (spec.fields) {
        problems.push(...checkFields(item, spec.fields, { path }).problems);
      }
      return undefined;
    }
    case 'string_array': {
      if (!Array.isArray(item) || item.some((entry) => typeof entry !== 'string' || entry.trim() === '')) {
        return 'must be an array of non-empty strings';
      }
      if (spec.minItems !== undefined && item.length < spec.minItems) {
        return `must have at least ${spec.minItems} items`;
      }
      return undefined;
    }
  }
}
