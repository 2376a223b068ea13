import { changeCircuit } from '@/lib/actions/change-circuit';
import type { ServiceInfo } from '@/lib/api/types';
import { DEFAULT_CIRCUIT_BREAKER } from '@/lib/engine/circuit-breaker';
import { NotFoundError } from '@/lib/errors';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { listServices } from '@/lib/reads/list-services';

export const dynamic = 'force-dynamic';

// POST /api/v1/services/{name}/circuit: Probe now, Close circuit, Open circuit (operator, audited in service_circuit_events).
export const POST = handleRoute(operations.changeServiceCircuit, async (_request, { db, runtime, params, principal, body }) => {
  await changeCircuit(db, {
    service: params.name,
    serviceNames: runtime.serviceNames,
    action: body.action,
    actor: principal.actor,
    reason: body.reason,
    cooldownSeconds: runtime.env.circuitCooldownSeconds,
    spreadMs: DEFAULT_CIRCUIT_BREAKER.releaseSpreadMs,
  });
  const service = (await listServices(db, runtime)).find((entry) => entry.name === params.name);
  if (!service) {
    throw new NotFoundError('service', params.name);
  }
  return Response.json(service satisfies ServiceInfo);
});
