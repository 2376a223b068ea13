import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { findServiceCircuits } from '../../db/queries/service-circuits';
import { findServiceHolds } from '../../db/queries/service-holds';
import { findServiceLimits } from '../../db/queries/service-limits';
import { toSqlList } from '../../db/to-sql-list';
import type { CircuitState, ServiceInfo } from '../api/types';
import type { DemoServices } from '../demo/demo-services';
import { NotFoundError } from '../errors';
import { KNOWN_SERVICE_NAMES, type KnownServiceName } from '../services/service-registry';
import { CLAIMABLE_STEP_STATUSES } from '../statuses';
import { toIso } from './task-views';

export type ServiceSetup = {
  serviceNames: readonly string[];
  serviceUrls: Readonly<Record<string, string>>;
  demoServices: DemoServices | undefined;
};

/** Whether `name` is answered by the built-in demo services (it has no URL of its own). */
export function isDemoService(name: string, setup: ServiceSetup): name is KnownServiceName {
  const url = setup.serviceUrls[name];
  return (
    setup.demoServices !== undefined &&
    (KNOWN_SERVICE_NAMES as readonly string[]).includes(name) &&
    url !== undefined &&
    url.startsWith(`${setup.demoServices.url}/`)
  );
}

/**
 * Every service handlers may call: its URL, its circuit (a service without a circuit row has never
 * failed: closed), the steps queued for it (ready or waiting to retry), its hold, its limits (as the
 * orchestrators were started with them) and what is in use, and, for a demo service, how it behaves
 * now and what it has done.
 */
export async function listServices(db: DbOrTx, setup: ServiceSetup): Promise<ServiceInfo[]> {
  const circuits = new Map((await findServiceCircuits(db)).map((row) => [row.service, row]));
  const holds = new Map((await findServiceHolds(db)).map((row) => [row.service, row]));
  const limits = new Map((await findServiceLimits(db)).map((row) => [row.service, row]));
  const running = await queryRows<{ service: string; count: number }>(
    db,
    sql`select service, count(*)::int as count from steps where status = 'in_progress' and service is not null group by service`,
  );
  const runningByService = new Map(running.map((row) => [row.service, Number(row.count)]));
  const queued = await queryRows<{ service: string; count: number }>(
    db,
    sql`select service, count(*)::int as count from steps where status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and service is not null group by service`,
  );
  const queuedByService = new Map(queued.map((row) => [row.service, Number(row.count)]));
  const demoSummary = setup.demoServices?.state.summarize().services;
  return setup.serviceNames.map((name) => {
    const circuit = circuits.get(name);
    const hold = holds.get(name);
    const limit = limits.get(name);
    const demo = isDemoService(name, setup) ? demoSummary?.[name] : undefined;
    return {
      name,
      url: setup.serviceUrls[name] ?? null,
      demo: demo !== undefined,
      mode: demo?.mode ?? null,
      latency_ms: demo?.latency_ms ?? null,
      failure_rate: demo?.failure_rate ?? null,
      retry_after_seconds: demo?.retry_after_seconds ?? null,
      calls: demo?.calls ?? null,
      records: demo?.records ?? null,
      circuit: {
        state: (circuit?.state ?? 'closed') as CircuitState,
        failures: circuit?.consecutiveFailures ?? 0,
        opened_at: toIso(circuit?.openedAt),
        retry_at: circuit?.state === 'open' ? toIso(circuit.openUntil) : null,
        next_probe_at: circuit?.state === 'open' || circuit?.state === 'half_open' ? toIso(circuit.openUntil) : null,
        last_failure_at: toIso(circuit?.lastFailureAt),
        last_error: circuit?.lastError ?? null,
      },
      waiting_steps: queuedByService.get(name) ?? 0,
      hold: hold ? { reason: hold.reason, held_by: hold.heldBy, held_at: toIso(hold.heldAt) as string } : null,
      limits: {
        rate_per_second: limit?.ratePerSecond ?? null,
        max_concurrency: limit?.maxConcurrency ?? null,
        in_flight: runningByService.get(name) ?? 0,
        starts_last_second: limit?.ratePerSecond == null ? null : limit.startsLastSecond,
      },
    };
  });
}

/** One service as listServices describes it; NotFound for a name that is not a service. */
export async function getServiceInfoOrThrow(db: DbOrTx, setup: ServiceSetup, name: string): Promise<ServiceInfo> {
  const service = (await listServices(db, setup)).find((entry) => entry.name === name);
  if (!service) {
    throw new NotFoundError('service', name);
  }
  return service;
}
