import type { OpenApiDocument, OpenApiOperation } from '../../lib/api/types';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export type ApiRoute = { method: string; path: string; operation: OpenApiOperation; group: string };

/** The document's operations as a flat list, grouped by their first tag (or first path segment after /api/v1). */
export function listApiRoutes(document: OpenApiDocument): ApiRoute[] {
  const routes: ApiRoute[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method] as OpenApiOperation | undefined;
      if (!operation) {
        continue;
      }
      const segment =
        path
          .replace(/^\/api\/v1/, '')
          .split('/')
          .filter(Boolean)[0] ?? 'root';
      routes.push({ method, path, operation, group: operation.tags?.[0] ?? segment });
    }
  }
  return routes;
}

export function groupApiRoutes(routes: ApiRoute[]): [string, ApiRoute[]][] {
  const groups = new Map<string, ApiRoute[]>();
  for (const route of routes) {
    const list = groups.get(route.group) ?? [];
    list.push(route);
    groups.set(route.group, list);
  }
  return [...groups.entries()];
}

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  description?: string;
  oneOf?: Schema[];
  anyOf?: Schema[];
  format?: string;
};

/** Follows a local `$ref` (#/components/schemas/…) once; unknown refs stay as they are. */
export function resolveSchema(document: OpenApiDocument, schema: unknown): Schema | undefined {
  if (typeof schema !== 'object' || schema === null) {
    return undefined;
  }
  const value = schema as Schema;
  if (value.$ref?.startsWith('#/components/schemas/')) {
    const target = document.components?.schemas?.[value.$ref.slice('#/components/schemas/'.length)];
    return (target as Schema | undefined) ?? value;
  }
  return value;
}

/** A short type label: `string (email)`, `array of Task`, `"up" | "down"`. */
export function describeSchemaType(schema: Schema | undefined): string {
  if (!schema) {
    return 'any';
  }
  if (schema.$ref) {
    return schema.$ref.split('/').at(-1) ?? 'object';
  }
  if (schema.enum) {
    return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    return variants.map((variant) => describeSchemaType(variant)).join(' or ');
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : schema.type;
  if (type === 'array') {
    return `array of ${describeSchemaType(schema.items)}`;
  }
  return `${type ?? (schema.properties ? 'object' : 'any')}${schema.format ? ` (${schema.format})` : ''}`;
}

export type { Schema as OpenApiSchema };
