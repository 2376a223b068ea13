/**
 * The model behind the "Try it" form: which field each part of a template's context schema becomes,
 * its default, and where a value lives (JSON Pointers, as the API's 422 details name them). The server
 * still checks the whole context when the task is created; the form only helps to fill it in.
 */
import { isRecord } from '../../lib/api/is-record';

export type JsonSchema = Record<string, unknown>;

export type FieldKind = 'object' | 'string' | 'email' | 'number' | 'integer' | 'boolean' | 'enum' | 'json';

function schemaType(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) {
    return type.find((entry): entry is string => typeof entry === 'string' && entry !== 'null');
  }
  return typeof type === 'string' ? type : undefined;
}

export function fieldKind(schema: JsonSchema): FieldKind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return 'enum';
  }
  const type = schemaType(schema);
  if (type === 'object' || (type === undefined && isRecord(schema.properties))) {
    return isRecord(schema.properties) ? 'object' : 'json';
  }
  if (type === 'string') {
    return schema.format === 'email' ? 'email' : 'string';
  }
  if (type === 'number' || type === 'integer' || type === 'boolean') {
    return type;
  }
  return 'json';
}

export function propertiesOf(schema: JsonSchema): [string, JsonSchema][] {
  return isRecord(schema.properties)
    ? Object.entries(schema.properties).map(([key, child]) => [key, isRecord(child) ? child : {}] as [string, JsonSchema])
    : [];
}

export function requiredOf(schema: JsonSchema): Set<string> {
  return new Set(Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : []);
}

/** The value a schema starts with: its `default`, or for an object the defaults of its properties. */
export function defaultValueOf(schema: JsonSchema): unknown {
  if (schema.default !== undefined) {
    return structuredClone(schema.default);
  }
  if (fieldKind(schema) !== 'object') {
    return undefined;
  }
  const value: Record<string, unknown> = {};
  for (const [key, child] of propertiesOf(schema)) {
    const childDefault = defaultValueOf(child);
    if (childDefault !== undefined) {
      value[key] = childDefault;
    }
  }
  return value;
}

/**
 * Whether a boolean field shows as checked: its value, or, while it has none, its schema's default
 * (the server fills defaults in, so an untouched `default: true` is sent as true).
 */
export function isCheckedByDefault(value: unknown, schema: JsonSchema): boolean {
  return value === undefined ? schema.default === true : value === true;
}

function escapePointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function pointerOf(path: readonly string[]): string {
  return path.map((segment) => `/${escapePointerSegment(segment)}`).join('');
}

export function readAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    current = isRecord(current) ? current[segment] : undefined;
  }
  return current;
}

/** A copy of `value` with `path` set; `undefined` removes the key, so a cleared optional field is left out. */
export function writeAt(value: unknown, path: readonly string[], next: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = isRecord(value) ? { ...value } : {};
  const [head, ...rest] = path;
  if (head === undefined) {
    return isRecord(next) ? next : root;
  }
  if (rest.length === 0) {
    if (next === undefined) {
      delete root[head];
    } else {
      root[head] = next;
    }
    return root;
  }
  root[head] = writeAt(root[head], rest, next);
  return root;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The message shown under an e-mail field as you type; undefined when it looks like an address (or is empty). */
export function checkEmail(text: string): string | undefined {
  return text === '' || EMAIL.test(text) ? undefined : 'must be an e-mail address, like ann@example.com';
}

/** The context path of a 422 detail (`/context/customer/email` → `/customer/email`); undefined when outside the context. */
export function contextPointerOf(detailPath: string): string | undefined {
  if (detailPath === '/context') {
    return '';
  }
  return detailPath.startsWith('/context/') ? detailPath.slice('/context'.length) : undefined;
}
