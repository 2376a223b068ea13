import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ErrorDetail } from './errors';

/**
 * The project's one Ajv. Error paths are JSON Pointers (RFC 6901): `/user_info/email`, `/step_templates/0/name`;
 * the root is ''. A missing property is reported at its own path (`/user_info/email`, "is required") and an
 * unknown one at the path of the extra key, so an editor can point at the exact spot.
 */
const ajv = new Ajv({
  allErrors: true,
  useDefaults: true,
  coerceTypes: false,
  // Unknown keywords are refused so that a typo in a template schema (`propertes`) is an error, not a no-op.
  strictSchema: true,
  strictNumbers: true,
  // Type-level strictness would refuse common hand-written schemas (`properties` without `type: object`).
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  // Template schemas are compiled on this instance too; not registering them by `$id` keeps two templates that
  // reuse an `$id` from clashing, and keeps a validate request from leaving anything behind.
  addUsedSchema: false,
});
addFormats(ajv);
/** x.y.z with an optional pre-release (`1.0.0-beta.1`); no build metadata, since versions appear in URLs. */
const SEMVER_PATTERN =
  /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?$/;
ajv.addFormat('semver', SEMVER_PATTERN);

/** An ISO 8601 date or date-time (UTC unless a zone is given), as the API's time filters take it. */
export const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}:?\\d{2})?)?$';

/** Words for patterns whose regular expression would tell a person nothing. */
const PATTERN_MESSAGES: Record<string, string> = {
  '\\S': 'must not be blank',
  [TIMESTAMP_PATTERN]: 'must be an ISO 8601 date or date-time, e.g. 2026-12-05 or 2026-12-05T04:30:00Z',
};

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ErrorDetail[] };

/** Keys that could reach `Object.prototype` if a value is ever merged into another object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_VALUE_DEPTH = 100;

const FORMAT_MESSAGES: Record<string, string> = {
  email: 'must be an email address',
  uri: 'must be an absolute URI',
  url: 'must be a URL',
  uuid: 'must be a UUID',
  date: 'must be a date (YYYY-MM-DD)',
  'date-time': 'must be a date-time (ISO 8601 with a time zone)',
  time: 'must be a time (HH:MM:SS with a time zone)',
  semver: 'must be a semantic version x.y.z (e.g. 1.0.0 or 1.0.0-beta.1)',
};

function escapePointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

export function joinPointer(path: string, segment: string | number): string {
  return `${path}/${escapePointerSegment(segment)}`;
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function describeError(error: ErrorObject): { subPath: string; message: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { subPath: joinPointer('', String(params.missingProperty)), message: 'is required' };
    case 'dependencies':
    case 'dependentRequired':
      return {
        subPath: joinPointer('', String(params.missingProperty)),
        message: `is required when '${String(params.property)}' is present`,
      };
    case 'additionalProperties':
      return { subPath: joinPointer('', String(params.additionalProperty)), message: `unknown key '${String(params.additionalProperty)}'` };
    case 'unevaluatedProperties':
      return { subPath: joinPointer('', String(params.unevaluatedProperty)), message: `unknown key '${String(params.unevaluatedProperty)}'` };
    case 'propertyNames':
      return { subPath: joinPointer('', String(params.propertyName)), message: 'is not an allowed property name' };
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return { subPath: '', message: `must be one of: ${allowed.map(formatValue).join(', ')}` };
    }
    case 'const':
      return { subPath: '', message: `must be ${formatValue(params.allowedValue)}` };
    case 'type': {
      const types = Array.isArray(params.type) ? params.type : [params.type];
      return { subPath: '', message: `must be ${types.map(String).join(' or ')}` };
    }
    case 'format': {
      const format = String(params.format);
      return { subPath: '', message: FORMAT_MESSAGES[format] ?? `must match format '${format}'` };
    }
    case 'pattern': {
      const pattern = String(params.pattern);
      return { subPath: '', message: PATTERN_MESSAGES[pattern] ?? `must match pattern '${pattern}'` };
    }
    case 'false schema':
      return { subPath: '', message: 'is not allowed' };
    default:
      return { subPath: '', message: (error.message ?? `is invalid (${error.keyword})`).replaceAll('"', "'") };
  }
}

/**
 * Turns Ajv errors into `{ path, message }` details with JSON Pointer paths under `rootPath`.
 * `propertyNames` produces a second, vaguer error per name; only the precise one is kept, and duplicates
 * (from `anyOf` branches, say) are dropped.
 */
export function toErrorDetails(errors: readonly ErrorObject[] | null | undefined, rootPath = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    const { subPath, message } = describeError(error);
    const propertyName = (error as ErrorObject & { propertyName?: string }).propertyName;
    const path =
      propertyName !== undefined && error.keyword !== 'propertyNames'
        ? joinPointer(rootPath + error.instancePath, propertyName)
        : rootPath + error.instancePath + subPath;
    const finalMessage = propertyName !== undefined && error.keyword !== 'propertyNames' ? `property name ${message}` : message;
    const key = `${path}\u0000${finalMessage}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push({ path, message: finalMessage });
    }
  }
  return details.filter(
    (detail, _index, all) =>
      detail.message !== 'is not an allowed property name' || !all.some((other) => other.path === detail.path && other !== detail),
  );
}

/**
 * Refuses prototype-polluting keys and anything JSON cannot hold (functions, `NaN`, class instances,
 * cycles), and bounds the depth. Returns a deep copy made only of plain objects and arrays.
 */
function cloneJsonValue(value: unknown, rootPath = ''): ValidationResult<unknown> {
  const errors: ErrorDetail[] = [];
  const ancestors = new Set<object>();

  function clone(current: unknown, path: string, depth: number): unknown {
    if (current === null || typeof current === 'string' || typeof current === 'boolean') {
      return current;
    }
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) {
        errors.push({ path, message: 'must be a finite number' });
      }
      return current;
    }
    if (typeof current !== 'object') {
      errors.push({ path, message: `is not a JSON value (${typeof current})` });
      return undefined;
    }
    if (depth >= MAX_VALUE_DEPTH) {
      errors.push({ path, message: `is nested deeper than ${MAX_VALUE_DEPTH} levels` });
      return undefined;
    }
    if (ancestors.has(current)) {
      errors.push({ path, message: 'contains a reference to itself' });
      return undefined;
    }
    ancestors.add(current);
    try {
      if (Array.isArray(current)) {
        return current.map((item, index) => clone(item, joinPointer(path, index), depth + 1));
      }
      const prototype: unknown = Object.getPrototypeOf(current);
      if (prototype !== Object.prototype && prototype !== null) {
        errors.push({ path, message: 'is not a plain JSON object' });
        return undefined;
      }
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(current)) {
        const childPath = joinPointer(path, key);
        if (FORBIDDEN_KEYS.has(key)) {
          errors.push({ path: childPath, message: `key '${key}' is not allowed` });
          continue;
        }
        const child = (current as Record<string, unknown>)[key];
        // As in JSON.stringify: a property set to undefined is left out, not refused.
        if (child !== undefined) {
          copy[key] = clone(child, childPath, depth + 1);
        }
      }
      return copy;
    } finally {
      ancestors.delete(current);
    }
  }

  const copy = clone(value, rootPath, 0);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: copy };
}

/**
 * Compiles a trusted schema (a request body's, a handler's config) once, at module load of the caller.
 * The returned function applies schema defaults to the value it is given, in place, and refuses
 * prototype-polluting keys.
 */
export function compileSchema<T>(schema: object): (value: unknown) => ValidationResult<T> {
  const validate = ajv.compile(schema);
  return (value) => {
    const safe = cloneJsonValue(value);
    if (!safe.ok) {
      return safe;
    }
    if (validate(value)) {
      return { ok: true, value: value as T };
    }
    return { ok: false, errors: toErrorDetails(validate.errors) };
  };
}

const SCHEMA_NAME_KEYWORDS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependencies', 'dependentSchemas']);

/** Path of the first place in `schema` where `matches` holds for a keyword and its value; '' when none does. */
function findKeywordPath(schema: unknown, matches: (keyword: string, value: unknown) => boolean): string {
  const visited = new Set<object>();
  function search(node: unknown, path: string, holdsNames: boolean): string | undefined {
    if (node === null || typeof node !== 'object' || visited.has(node)) {
      return undefined;
    }
    visited.add(node);
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) {
        const found = search(item, joinPointer(path, index), false);
        if (found !== undefined) {
          return found;
        }
      }
      return undefined;
    }
    for (const [key, value] of Object.entries(node)) {
      if (!holdsNames && matches(key, value)) {
        return joinPointer(path, key);
      }
      if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') {
        continue;
      }
      const found = search(value, joinPointer(path, key), !holdsNames && SCHEMA_NAME_KEYWORDS.has(key));
      if (found !== undefined) {
        return found;
      }
    }
    return undefined;
  }
  return search(schema, '', false) ?? '';
}

/** Ajv's compile errors name no path, or name it in the message; this finds the spot in the schema. */
function locateCompileError(schema: unknown, error: unknown): ErrorDetail {
  const message = error instanceof Error ? error.message : String(error);
  const atPath = /at path "#([^"]*)"/.exec(message);
  if (atPath?.[1] !== undefined) {
    return { path: atPath[1], message: message.replace(/ ignored in schema at path "[^"]*"/, '').replaceAll('"', "'") };
  }
  const unknownKeyword = /unknown keyword: "([^"]+)"/.exec(message)?.[1];
  if (unknownKeyword !== undefined) {
    return { path: findKeywordPath(schema, (key) => key === unknownKeyword), message: `unknown keyword '${unknownKeyword}'` };
  }
  const missingRef = /can't resolve reference (\S+)/.exec(message)?.[1];
  if (missingRef !== undefined) {
    return {
      path: findKeywordPath(schema, (key, value) => key === '$ref' && value === missingRef),
      message: `cannot resolve $ref '${missingRef}' (only local references such as '#/definitions/x' are supported)`,
    };
  }
  if (error instanceof SyntaxError && message.includes('regular expression')) {
    return {
      path: findKeywordPath(schema, (key, value) => key === 'pattern' && typeof value === 'string' && message.includes(`/${value}/`)),
      message: `invalid regular expression: ${message}`,
    };
  }
  return { path: '', message: message.replace(/^strict mode: /, '') };
}

const SUPPORTED_META_SCHEMAS = new Set(['http://json-schema.org/draft-07/schema', 'http://json-schema.org/draft-07/schema#']);

/**
 * Whether `schema` is a JSON Schema (draft-07) this validator can use: checked against the meta-schema, then
 * compiled, which catches unknown keywords and formats, bad `$ref`s and bad regular expressions.
 * Paths are relative to the schema.
 */
export function checkJsonSchema(schema: unknown): ErrorDetail[] {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return [{ path: '', message: 'must be a JSON Schema object' }];
  }
  const declared = (schema as Record<string, unknown>).$schema;
  if (declared !== undefined && (typeof declared !== 'string' || !SUPPORTED_META_SCHEMAS.has(declared))) {
    return [{ path: '/$schema', message: `unsupported $schema ${formatValue(declared)}; omit it (draft-07 is used)` }];
  }
  if (!ajv.validateSchema(schema)) {
    return dropAnyOfNoise(toErrorDetails(ajv.errors));
  }
  try {
    ajv.compile(schema);
    return [];
  } catch (error) {
    return [locateCompileError(schema, error)];
  } finally {
    ajv.removeSchema(schema);
  }
}

/** The meta-schema reports a bad `type` three times (enum, array, anyOf); the enum message says it all. */
function dropAnyOfNoise(details: ErrorDetail[]): ErrorDetail[] {
  const pathsWithOtherErrors = new Set(details.filter((d) => !d.message.startsWith('must match a schema in anyOf')).map((d) => d.path));
  return details.filter((detail) => {
    if (detail.message.startsWith('must match a schema in anyOf')) {
      return !pathsWithOtherErrors.has(detail.path);
    }
    if (detail.message === 'must be array' && detail.path.endsWith('/type')) {
      return !details.some((other) => other.path === detail.path && other.message.startsWith('must be one of'));
    }
    return true;
  });
}

export type ContextValidator = (context: unknown) => ValidationResult<Record<string, unknown>>;

const CONTEXT_VALIDATOR_CACHE_SIZE = 500;
const contextValidatorsBySchema = new WeakMap<object, ContextValidator>();
// Schemas read back from the database are new objects each time, so the text is the key that repeats.
const contextValidatorsByText = new Map<string, { validator: ContextValidator; compiled: ValidateFunction }>();

/**
 * Validates a task's context against its template's schema. The context is deep-copied first, so schema
 * defaults land on the copy and never on the caller's object. Paths are relative to the context.
 * Throws when the schema itself does not compile: templates are checked with `checkJsonSchema` before
 * they are saved, so that is a bug, not bad input.
 */
export function compileContextValidator(schema: object): ContextValidator {
  const byIdentity = contextValidatorsBySchema.get(schema);
  if (byIdentity) {
    return byIdentity;
  }
  const text = JSON.stringify(schema);
  const cached = contextValidatorsByText.get(text);
  if (cached) {
    // Refresh its place so that the least recently used schema is the one evicted.
    contextValidatorsByText.delete(text);
    contextValidatorsByText.set(text, cached);
    contextValidatorsBySchema.set(schema, cached.validator);
    return cached.validator;
  }
  const ownSchema = JSON.parse(text) as object;
  const compiled = ajv.compile(ownSchema);
  const validator: ContextValidator = (context) => {
    const copy = cloneJsonValue(context);
    if (!copy.ok) {
      return copy;
    }
    if (copy.value === null || typeof copy.value !== 'object' || Array.isArray(copy.value)) {
      return { ok: false, errors: [{ path: '', message: 'must be object' }] };
    }
    if (!compiled(copy.value)) {
      return { ok: false, errors: toErrorDetails(compiled.errors) };
    }
    return { ok: true, value: copy.value as Record<string, unknown> };
  };
  contextValidatorsByText.set(text, { validator, compiled });
  contextValidatorsBySchema.set(schema, validator);
  if (contextValidatorsByText.size > CONTEXT_VALIDATOR_CACHE_SIZE) {
    const oldest = contextValidatorsByText.keys().next();
    if (!oldest.done) {
      const evicted = contextValidatorsByText.get(oldest.value);
      contextValidatorsByText.delete(oldest.value);
      if (evicted) {
        ajv.removeSchema(evicted.compiled.schema);
      }
    }
  }
  return validator;
}

export type ResultsValidator = (results: unknown) => ValidationResult<unknown>;

const RESULTS_VALIDATOR_CACHE_SIZE = 200;
const resultsValidatorsByText = new Map<string, { validator: ResultsValidator; compiled: ValidateFunction }>();

/**
 * Validates a step's results against its template's `results_schema` (an operator's resolve). The value
 * is deep-copied first, so defaults land on the copy, which is what `value` returns. Paths are relative
 * to the results. Throws when the schema does not compile: templates are checked with `checkJsonSchema`
 * before they are saved.
 */
export function compileResultsValidator(schema: object): ResultsValidator {
  const text = JSON.stringify(schema);
  const cached = resultsValidatorsByText.get(text);
  if (cached) {
    resultsValidatorsByText.delete(text);
    resultsValidatorsByText.set(text, cached);
    return cached.validator;
  }
  const compiled = ajv.compile(JSON.parse(text) as object);
  const validator: ResultsValidator = (results) => {
    const copy = cloneJsonValue(results);
    if (!copy.ok) {
      return copy;
    }
    return compiled(copy.value) ? { ok: true, value: copy.value } : { ok: false, errors: toErrorDetails(compiled.errors) };
  };
  resultsValidatorsByText.set(text, { validator, compiled });
  if (resultsValidatorsByText.size > RESULTS_VALIDATOR_CACHE_SIZE) {
    const oldest = resultsValidatorsByText.keys().next();
    if (!oldest.done) {
      const evicted = resultsValidatorsByText.get(oldest.value);
      resultsValidatorsByText.delete(oldest.value);
      if (evicted) {
        ajv.removeSchema(evicted.compiled.schema);
      }
    }
  }
  return validator;
}
