import type { Db } from '../../db/client';
import { deleteServiceHold } from '../../db/queries/service-holds';
import type { ServiceInfo } from '../api/types';
import { ConflictError, NotFoundError } from '../errors';
import { getServiceInfoOrThrow, type ServiceSetup } from '../reads/list-services';

/** Steps that waited on a hold start this far apart once it is released, as when a circuit closes. */
const HOLD_RELEASE_SPREAD_MS = 100;

/**
 * Ends a service's hold: its waiting steps start again, spread out (HOLD_RELEASE_SPREAD_MS apart) rather
 * than all at once, and every orchestrator is woken. One transaction: the release, its audit row
 * (service_hold_events) and the steps' new start times. Conflict when the service is not held.
 */
export async function releaseService(
  db: Db,
  setup: ServiceSetup,
  { service, reason, actor }: { service: string; reason?: string | undefined; actor: string },
): Promise<ServiceInfo> {
  if (!setup.serviceNames.includes(service)) {
    throw new NotFoundError('service', service);
  }
  const released = await deleteServiceHold(db, { service, reason: reason ?? 'released', actor, spreadMs: HOLD_RELEASE_SPREAD_MS });
  if (!released) {
    throw new ConflictError(`Service ${service} is not held`);
  }
  return getServiceInfoOrThrow(db, setup, service);
}
