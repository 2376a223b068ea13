import { getMetrics } from './metrics-registry';

/** Counts and times one API request; `route` is the path pattern (/api/v1/tasks/{taskId}), never the raw path. */
export function recordHttpRequest({ method, route, status, seconds }: { method: string; route: string; status: number; seconds: number }): void {
  const metrics = getMetrics();
  metrics.httpRequests.inc({ method, route, status: String(status) });
  metrics.httpRequestDuration.observe({ method, route }, seconds);
}
