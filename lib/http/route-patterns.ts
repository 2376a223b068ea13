import { API_OPERATIONS } from './api-operations';

const PATTERNS = API_OPERATIONS.map((operation) => ({
  method: operation.method,
  path: operation.path,
  regex: new RegExp(`^${operation.path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
}))
  // Fixed segments before parameters: /tasks/bulk/retry before /tasks/{taskId}/retry.
  .sort((a, b) => a.path.split('{').length - b.path.split('{').length);

/** The path pattern a request matches (`/api/v1/tasks/{taskId}`), for metric labels that stay few; 'other' if none. */
export function matchRoutePattern(method: string, pathname: string): string {
  return (
    PATTERNS.find((pattern) => pattern.method === method && pattern.regex.test(pathname))?.path ??
    PATTERNS.find((pattern) => pattern.regex.test(pathname))?.path ??
    'other'
  );
}
