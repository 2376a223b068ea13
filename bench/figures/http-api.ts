import http from 'node:http';
import { percentile } from '../lib/stats';

/**
 * Whether the server has a route for `method path`: Next.js answers an unknown path with its HTML
 * not-found page, our routes answer JSON (an error included).
 */
export async function hasRoute(baseUrl: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<boolean> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get('content-type') ?? '';
  await response.arrayBuffer();
  return !(response.status === 404 && !type.includes('json')) && response.status !== 405;
}

export type CreateThroughput = {
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  failures: number;
  firstFailure?: string;
};

/**
 * POSTs a JSON body over `agent` (node:http, kept alive: one socket per client, reused request after
 * request, as a service's HTTP client keeps its connections). Lighter on the benchmark's own CPU than
 * fetch, which shares these two cores with the server and PostgreSQL.
 */
export function postJson(agent: http.Agent, url: string, body: unknown): Promise<{ status: number; text: string; reusedSocket: boolean }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), reusedSocket: request.reusedSocket }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/**
 * `clients` concurrent loops, each POSTing /api/v1/tasks (a new context each time) over its own
 * kept-alive connection until `total` tasks were asked for. Counts 201s; anything else is a failure,
 * reported with the first one's body. `connections` says how many sockets the server saw (≤ clients
 * when every request reused one).
 */
export async function createTasksOverHttp(
  baseUrl: string,
  {
    clients,
    total,
    namespace,
    name,
    contextOf,
  }: { clients: number; total: number; namespace: string; name: string; contextOf: (n: number) => unknown },
): Promise<CreateThroughput & { connections: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  let connections = 0;
  let next = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const latencies: number[] = [];
  const url = `${baseUrl}/api/v1/tasks`;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let n = next++; n < total; n = next++) {
          const sent = performance.now();
          const response = await postJson(agent, url, { namespace, name, context: contextOf(n) });
          connections += response.reusedSocket ? 0 : 1;
          latencies.push(performance.now() - sent);
          if (response.status !== 201) {
            failures += 1;
            firstFailure ??= `${response.status} ${response.text.slice(0, 300)}`;
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    tasks: total - failures,
    seconds,
    tasksPerSecond: (total - failures) / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    failures,
    connections,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

export type TimedRequest = { label: string; paths: string[] };
export type RequestTiming = { label: string; p50Ms: number; p95Ms: number; n: number; status: number; error?: string };

/**
 * Times GET requests one at a time (the dashboard's reads on an otherwise quiet server): each label
 * cycles through its paths `rounds` times, after `warmup` untimed calls. A non-200 answer stops that
 * label and is reported.
 */
export async function timeRequests(
  baseUrl: string,
  requests: readonly TimedRequest[],
  { rounds, warmup = 2 }: { rounds: number; warmup?: number },
): Promise<RequestTiming[]> {
  const results: RequestTiming[] = [];
  for (const request of requests) {
    const times: number[] = [];
    let status = 200;
    let error: string | undefined;
    for (let n = 0; n < rounds + warmup; n++) {
      const path = request.paths[n % request.paths.length] as string;
      const sent = performance.now();
      const response = await fetch(`${baseUrl}${path}`);
      const text = await response.text();
      const elapsed = performance.now() - sent;
      if (response.status !== 200) {
        status = response.status;
        error = `${path}: ${response.status} ${text.slice(0, 200)}`;
        break;
      }
      if (n >= warmup) {
        times.push(elapsed);
      }
    }
    results.push({
      label: request.label,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      n: times.length,
      status,
      ...(error ? { error } : {}),
    });
  }
  return results;
}
