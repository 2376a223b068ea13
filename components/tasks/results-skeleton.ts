/**
 * A starting value for a step's results from its template's `results_schema`: the required properties,
 * each with a placeholder of its type (its `default`, `const` or first `enum` value when the schema gives
 * one; otherwise "" for a string, 0 for a number, or its minimum, false, [] and a nested skeleton for an
 * object). Local `$ref`s and `allOf` are followed; `anyOf`/`oneOf` take their first branch.
 */
export function buildResultsSkeleton(schema: Record<string, unknown>): unknown {
  return skeletonOf(schema, schema, 0);
}

type Schema = Record<string, unknown>;

const MAX_DEPTH = 10;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#/')) {
    return undefined;
  }
  let node: unknown = root;
  for (const segment of ref.slice(2).split('/')) {
    const key = decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~');
    node = isSchema(node) ? node[key] : undefined;
  }
  return isSchema(node) ? node : undefined;
}

/** The schema with its `$ref` and `allOf` merged in, and the first branch of `anyOf` / `oneOf`. */
function flatten(root: Schema, schema: Schema, depth: number): Schema {
  if (depth > MAX_DEPTH) {
    return schema;
  }
  let merged: Schema = { ...schema };
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(root, schema.$ref);
    if (target) {
      merged = { ...flatten(root, target, depth + 1), ...merged };
    }
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[keyword];
    if (!Array.isArray(list)) {
      continue;
    }
    const branches = (keyword === 'allOf' ? list : list.slice(0, 1)).filter(isSchema);
    for (const branch of branches) {
      const flat = flatten(root, branch, depth + 1);
      merged = {
        ...flat,
        ...merged,
        properties: { ...(isSchema(flat.properties) ? flat.properties : {}), ...(isSchema(merged.properties) ? merged.properties : {}) },
        required: [...listOf(flat.required), ...listOf(merged.required)],
      };
    }
  }
  return merged;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') {
    return type;
  }
  if (Array.isArray(type)) {
    return type.find((entry): entry is string => typeof entry === 'string' && entry !== 'null') ?? (type.includes('null') ? 'null' : undefined);
  }
  if (isSchema(schema.properties) || Array.isArray(schema.required)) {
    return 'object';
  }
  return isSchema(schema.items) ? 'array' : undefined;
}

function skeletonOf(root: Schema, raw: Schema, depth: number): unknown {
  const schema = flatten(root, raw, depth);
  if (schema.default !== undefined) {
    return structuredClone(schema.default);
  }
  if (schema.const !== undefined) {
    return structuredClone(schema.const);
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return structuredClone(schema.enum[0] as unknown);
  }
  switch (typeOf(schema)) {
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'null':
      return null;
    case 'object': {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : [];
      const skeleton: Record<string, unknown> = {};
      for (const name of new Set(required)) {
        const property = properties[name];
        skeleton[name] = isSchema(property) && depth < MAX_DEPTH ? skeletonOf(root, property, depth + 1) : '';
      }
      return skeleton;
    }
    default:
      return {};
  }
}
