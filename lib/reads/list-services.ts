import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../../db/client';
import { findServiceCircuits } from '../../db/queries/service-circuits';
import { toSqlList } from '../../db/to-sql-list';
import type { CircuitState, ServiceInfo } from '../api/types';
import type { DemoServices } from '../demo/demo-services';
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
 * failed: closed), the steps queued for it (ready or waiting to retry), and, for a demo service, how
 * it behaves now and what it has done.
 */
export async function listServices(db: DbOrTx, setup: ServiceSetup): Promise<ServiceInfo[]> {
  const circuits = new Map((await findServiceCircuits(db)).map((row) => [row.service, row]));
  const queued = await queryRows<{ service: string; count: number }>(
    db,
    sql`select service, count(*)::int as count from steps where status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and service is not null group by service`,
  );
  const queuedByService = new Map(queued.map((row) => [row.service, Number(row.count)]));
  const demoSummary = setup.demoServices?.state.summarize().services;
  return setup.serviceNames.map((name) => {
    const circuit = circuits.get(name);
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
    };
  });
}
