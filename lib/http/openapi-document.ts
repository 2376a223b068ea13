import { API_OPERATIONS, type ApiOperation } from './api-operations';
import { responseSchemas } from './response-schemas';

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

const PATH_PARAMETERS: Record<string, { description: string; schema: object }> = {
  taskId: { description: 'Task id', schema: { type: 'string', pattern: '^[0-9]+$' } },
  step: { description: "The step's name or id", schema: { type: 'string' } },
  namespace: { description: "The template's namespace", schema: { type: 'string' } },
  name: { description: 'The template or service name', schema: { type: 'string' } },
  version: { description: 'Semantic version', schema: { type: 'string' } },
  tokenId: { description: 'Token id', schema: { type: 'string', pattern: '^[0-9]+$' } },
};

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function successContent(schema: string | undefined): Record<string, { schema: object }> | undefined {
  if (schema === undefined) {
    return { 'application/json': { schema: { type: 'object' } } };
  }
  if (schema === 'text') {
    return { 'text/plain': { schema: { type: 'string' } } };
  }
  if (schema === 'events') {
    return { 'text/event-stream': { schema: { type: 'string', description: 'event: task\\ndata: <TaskDetail JSON>' } } };
  }
  return { 'application/json': { schema: schemaRef(schema) } };
}

function describeOperation(operation: ApiOperation): Record<string, unknown> {
  const pathParameters = [...operation.path.matchAll(/\{([^}]+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    ...(PATH_PARAMETERS[name] ?? { description: name, schema: { type: 'string' } }),
  }));
  const queryParameters = Object.entries(operation.query?.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema as { description?: string } & Record<string, unknown>;
    const isList = rest.type === 'array';
    return { name, in: 'query', required: false, ...(description ? { description } : {}), schema: rest, ...(isList ? { style: 'form', explode: false } : {}) };
  });
  const headerParameters = (operation.headers ?? []).map((header) => ({ ...header, in: 'header', required: false }));
  const errors = operation.access === 'public' ? operation.errors : [401, 403, 429, ...operation.errors];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    responses[status] = { description: response.description, content: successContent(response.schema) };
  }
  for (const status of [...new Set(errors)].sort()) {
    responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: { 'application/json': { schema: schemaRef('Error') } } };
  }
  responses['500'] = { description: ERROR_DESCRIPTIONS[500], content: { 'application/json': { schema: schemaRef('Error') } } };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    'x-required-role': operation.access,
    security: operation.access === 'public' ? [] : [{ bearerAuth: [] }, { sessionCookie: [] }],
    parameters: [...pathParameters, ...queryParameters, ...headerParameters],
    ...(operation.body
      ? { requestBody: { required: operation.body.required, content: { [operation.body.mediaType]: { schema: operation.body.schema } } } }
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
      schemas: responseSchemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN or a token from POST /api/v1/tokens' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'switchyard_session', description: 'Set by POST /api/v1/session' },
      },
    },
  };
}
