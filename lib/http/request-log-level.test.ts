import { expect, it } from 'vitest';
import { requestLogLevel } from './handle-route';

it('logs successful reads at debug, changes and refusals at info, server errors at error', () => {
  expect(requestLogLevel('GET', 200)).toBe('debug');
  expect(requestLogLevel('HEAD', 304)).toBe('debug');
  expect(requestLogLevel('GET', 404)).toBe('info');
  expect(requestLogLevel('POST', 201)).toBe('info');
  expect(requestLogLevel('DELETE', 204)).toBe('info');
  expect(requestLogLevel('POST', 422)).toBe('info');
  expect(requestLogLevel('GET', 500)).toBe('error');
});
