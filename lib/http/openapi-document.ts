import { responseSchemas } from '../api/schemas/response-schemas';
import { API_OPERATIONS, PATH_PARAMETERS, type ApiOperation } from './api-operations';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed: the body is not JSON (or not UTF-8)',
  401: 'No token, or a token that is unknown or revoked',
  403: "The token's role is too low, or a cookie-authenticated change came from another origin",
  404: 'No such task, step, template, token or service',
  409: 'Not allowed in the current state, the version exists with other content, or the token name was used before',
  413: 'The body is larger than 1 MiB',
  415: 'Wrong Content-Type',
  422: 'Invalid: every problem listed with its JSON Pointer path',
  429: 'Too many wrong tokens or failed sign-ins from this address (or from all together): wait the Retry-After seconds',
  500: 'A bug or an outage; the message names the request id in the log',
};

type Schema = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** A schema's text without its description: two places holding the same schema, described apart, are one. */
function shapeKey(schema: Schema): string {
  const { description: _description, ...shape } = schema;
  return JSON.stringify(shape);
}

const COMPONENT_BY_SHAPE = new Map(Object.entries(responseSchemas).map(([name, schema]) => [shapeKey(schema as Schema), name]));

/**
 * The schema as the document prints it: any part that is one of the named schemas becomes a `$ref` to
 * its component (keeping a description of its own), so a client generator makes one type of each.
 */
function withRefs(value: unknown, ownName?: string): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => withRefs(item));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const schema = value as Schema;
  const name = COMPONENT_BY_SHAPE.get(shapeKey(schema));
  if (name !== undefined && name !== ownName) {
    const own = (responseSchemas as Record<string, Schema>)[name]?.description;
    return {
      $ref: `#/components/schemas/${name}`,
      ...(schema.description !== undefined && schema.description !== own ? { description: schema.description } : {}),
    };
  }
  return Object.fromEntries(Object.entries(schema).map(([key, child]) => [key, withRefs(child)]));
}

function successContent(answer: ApiOperation['responses'][number]): Record<string, { schema: unknown }> {
  if (answer.mediaType === 'text/plain') {
    return { 'text/plain': { schema: { type: 'string' } } };
  }
  if (answer.mediaType === 'text/event-stream') {
    return { 'text/event-stream': { schema: { type: 'string', description: 'event: task\\ndata: <TaskDetail JSON>' } } };
  }
  return { 'application/json': { schema: withRefs(answer.schema ?? {}) } };
}

function describeOperation(operation: ApiOperation): Record<string, unknown> {
  const pathParameters = [...operation.path.matchAll(/\{([^}]+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_PARAMETERS[name as keyof typeof PATH_PARAMETERS].description,
    schema: PATH_PARAMETERS[name as keyof typeof PATH_PARAMETERS].schema,
  }));
  const queryParameters = Object.entries(operation.query?.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema as { description?: string } & Record<string, unknown>;
    const isList = rest.type === 'array';
    return {
      name,
      in: 'query',
      required: false,
      ...(description ? { description } : {}),
      schema: withRefs(rest),
      ...(isList ? { style: 'form', explode: false } : {}),
    };
  });
  const headerParameters = (operation.headers ?? []).map((header) => ({ ...header, in: 'header', required: false }));
  const errors = operation.access === 'public' ? operation.errors : [401, 403, 429, ...operation.errors];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = { description: response.description, content: successContent(response) };
  }
  for (const status of [...new Set(errors)].sort()) {
    responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: { 'application/json': { schema: ERROR_REF } } };
  }
  responses['500'] = { description: ERROR_DESCRIPTIONS[500], content: { 'application/json': { schema: ERROR_REF } } };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    'x-required-role': operation.access,
    security: operation.access === 'public' ? [] : [{ bearerAuth: [] }, { sessionCookie: [] }],
    parameters: [...pathParameters, ...queryParameters, ...headerParameters],
    ...(operation.body
      ? { requestBody: { required: operation.body.required, content: { [operation.body.mediaType]: { schema: withRefs(operation.body.schema) } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of /api/v1, made from the schemas the routes validate with. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of API_OPERATIONS) {
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method.toLowerCase()] = describeOperation(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard API',
      version: '1.0.0',
      description:
        'Create tasks from templates, follow them, and repair them. Errors always have the shape {"error": {"code", "message", "details": [{"path", "message"}]}}. ' +
        'Without ADMIN_TOKEN the server is in local mode (loopback only, no token). With it, every route but /health needs `Authorization: Bearer <token>` ' +
        '(or the dashboard session cookie); roles: viewer (read) < operator (create and repair tasks) < admin (templates, tokens).',
    },
    servers: [{ url: '/' }],
    tags: ['Tasks', 'Repair', 'Templates', 'Services', 'Access', 'System'].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(responseSchemas).map(([name, schema]) => [name, withRefs(schema, name)])),
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN or a token from POST /api/v1/tokens' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'switchyard_session', description: 'Set by POST /api/v1/session' },
      },
    },
  };
}
