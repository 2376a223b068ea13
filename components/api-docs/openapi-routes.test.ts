import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../lib/api/types';
import { describeSchemaType, groupApiRoutes, listApiRoutes, resolveSchema } from './openapi-routes';

const document: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Switchyard', version: '1' },
  paths: {
    '/api/v1/tasks': { get: { summary: 'List tasks' }, post: { summary: 'Start a task', tags: ['tasks'] } },
    '/api/v1/health': { get: { summary: 'Health' } },
  },
  components: { schemas: { Task: { type: 'object', properties: { id: { type: 'string' } } } } },
};

describe('openapi routes', () => {
  it('lists and groups every operation', () => {
    const routes = listApiRoutes(document);
    expect(routes.map((route) => `${route.method} ${route.path}`)).toEqual(['get /api/v1/tasks', 'post /api/v1/tasks', 'get /api/v1/health']);
    expect(groupApiRoutes(routes).map(([group, list]) => [group, list.length])).toEqual([
      ['tasks', 2],
      ['health', 1],
    ]);
  });

  it('describes schemas briefly and follows refs', () => {
    expect(describeSchemaType({ type: 'array', items: { $ref: '#/components/schemas/Task' } })).toBe('array of Task');
    expect(describeSchemaType({ enum: ['up', 'down'] })).toBe('"up" | "down"');
    expect(describeSchemaType({ type: 'string', format: 'email' })).toBe('string (email)');
    expect(resolveSchema(document, { $ref: '#/components/schemas/Task' })).toEqual({ type: 'object', properties: { id: { type: 'string' } } });
  });
});
