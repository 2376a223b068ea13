import type { Database } from '../../db/client';
import { createTasks } from '../../lib/actions/create-tasks';
import { percentile } from '../lib/stats';
import type { CreateThroughput } from './http-api';

type BatchIntake = { clients: number; total: number; batchSize: number; namespace: string; name: string; contextOf: (n: number) => unknown };

/** The batches of `total` tasks, `batchSize` each (the last may be smaller), as [first n, count]. */
function batchesOf(total: number, batchSize: number): [number, number][] {
  return Array.from({ length: Math.ceil(total / batchSize) }, (_, index) => [index * batchSize, Math.min(batchSize, total - index * batchSize)]);
}

/**
 * `clients` concurrent loops, each POSTing /api/v1/tasks/batch (`batchSize` new contexts a call) until
 * `total` tasks were asked for. Counts the tasks of 201 answers whose items all say created; anything
 * else is a failure, reported with the first one's body. Latencies are per call.
 */
export async function createTaskBatchesOverHttp(
  baseUrl: string,
  { clients, total, batchSize, namespace, name, contextOf }: BatchIntake,
): Promise<CreateThroughput> {
  const batches = batchesOf(total, batchSize);
  let next = 0;
  let created = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let batch = batches[next++]; batch; batch = batches[next++]) {
        const [first, count] = batch;
        const sent = performance.now();
        const response = await fetch(`${baseUrl}/api/v1/tasks/batch`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ tasks: Array.from({ length: count }, (_, offset) => ({ namespace, name, context: contextOf(first + offset) })) }),
        });
        const text = await response.text();
        latencies.push(performance.now() - sent);
        const items = response.status === 201 ? ((JSON.parse(text) as { items: { created: boolean }[] }).items ?? []) : [];
        const createdHere = items.filter((item) => item.created).length;
        created += createdHere;
        if (createdHere !== count) {
          failures += count - createdHere;
          firstFailure ??= `${response.status} ${text.slice(0, 300)}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    tasks: created,
    seconds,
    tasksPerSecond: created / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    failures,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

/** createTasks() itself, in-process, `clients` callers of `batchSize` tasks each until `total`: the floor under the HTTP figure. */
export async function createTaskBatchesInProcess(database: Database, { clients, total, batchSize, namespace, name, contextOf }: BatchIntake) {
  const batches = batchesOf(total, batchSize);
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let batch = batches[next++]; batch; batch = batches[next++]) {
        const [first, count] = batch;
        const sent = performance.now();
        await createTasks(
          database.db,
          Array.from({ length: count }, (_, offset) => ({ namespace, name, context: contextOf(first + offset) })),
        );
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { seconds, tasksPerSecond: total / seconds, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
}
