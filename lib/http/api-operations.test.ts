import { describe, expect, it } from 'vitest';
import { DEMO_SERVICE_MODES, ROLES } from '../api/schemas/schema-parts';
import { NAME_PATTERN, TIMESTAMP_PATTERN } from '../api/schemas/task-filter-schema';
import { ROLES as SERVER_ROLES } from '../auth/roles';
import { DEMO_SERVICE_MODES as SERVER_DEMO_SERVICE_MODES } from '../demo/demo-services';
import { NAME_PATTERN as TEMPLATE_NAME_PATTERN } from '../templates/template-schema';
import { TIMESTAMP_PATTERN as VALIDATION_TIMESTAMP_PATTERN } from '../validation';
import { API_OPERATIONS, PATH_PARAMETERS } from './api-operations';

describe('the operation entries', () => {
  it('name each path parameter in the one table, and say what every JSON answer holds', () => {
    for (const operation of API_OPERATIONS) {
      for (const [, name] of operation.path.matchAll(/\{([^}]+)\}/g)) {
        expect(Object.keys(PATH_PARAMETERS), `${operation.operationId}: {${name}}`).toContain(name);
      }
      for (const [status, answer] of Object.entries(operation.responses)) {
        expect(answer.mediaType !== undefined || answer.schema !== undefined, `${operation.operationId} ${status}`).toBe(true);
      }
    }
  });

  it('are one per method and path', () => {
    const keys = API_OPERATIONS.map((operation) => `${operation.method} ${operation.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('the client-safe copies of server lists', () => {
  it('equal the lists the server checks with', () => {
    expect(ROLES).toEqual(SERVER_ROLES);
    expect(DEMO_SERVICE_MODES).toEqual(SERVER_DEMO_SERVICE_MODES);
    expect(NAME_PATTERN).toBe(TEMPLATE_NAME_PATTERN);
    expect(TIMESTAMP_PATTERN).toBe(VALIDATION_TIMESTAMP_PATTERN);
  });
});
