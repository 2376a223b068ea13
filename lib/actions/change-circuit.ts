import type { Db } from '../../db/client';
import { changeCircuitByOperator, lockServiceCircuit, type CircuitAction, type OperatorCircuitChange } from '../../db/queries/service-circuits';
import { ConflictError, NotFoundError } from '../errors';

/** The actions an operator may take on a circuit in each of its states (a closed circuit has no row). */
const ALLOWED_FROM: Record<CircuitAction, readonly string[]> = {
  probe: ['open', 'half_open'],
  close: ['open', 'half_open'],
  open: ['closed', 'half_open'],
};

const REFUSAL: Record<CircuitAction, string> = {
  probe: 'is closed: calls go through, there is nothing to probe',
  close: 'is already closed',
  open: 'is already open',
};

/**
 * Probe now, Close circuit, Open circuit (the Services page), in one transaction with its audit row in
 * service_circuit_events. 404 for a service no handler may call; 409 when the circuit's state makes the
 * action meaningless (nothing is written then).
 */
export async function changeCircuit(
  db: Db,
  {
    service,
    serviceNames,
    action,
    actor,
    reason,
    cooldownSeconds,
    spreadMs,
  }: {
    service: string;
    serviceNames: readonly string[];
    action: CircuitAction;
    actor: string;
    reason: string;
    cooldownSeconds: number;
    spreadMs: number;
  },
): Promise<OperatorCircuitChange> {
  if (!serviceNames.includes(service)) {
    throw new NotFoundError('service', service);
  }
  return db.transaction(async (tx) => {
    const fromState = await lockServiceCircuit(tx, service);
    if (!ALLOWED_FROM[action].includes(fromState)) {
      throw new ConflictError(`The circuit of ${service} ${REFUSAL[action]}`);
    }
    return changeCircuitByOperator(tx, { service, action, fromState, actor, reason: reason.trim(), cooldownSeconds, spreadMs });
  });
}
