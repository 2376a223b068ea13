import type { Db } from '../../db/client';
import { insertServiceHold } from '../../db/queries/service-holds';
import type { ServiceInfo } from '../api/types';
import { ConflictError, NotFoundError } from '../errors';
import { getServiceInfoOrThrow, type ServiceSetup } from '../reads/list-services';

/**
 * Holds a service: from now on no step of it starts, and none spends an attempt, in any process on the
 * database, until it is released; calls already running finish. One transaction: the hold and its audit
 * row (service_hold_events: who, when, why). Conflict when it is held already (that hold stays as it is).
 */
export async function holdService(
  db: Db,
  setup: ServiceSetup,
  { service, reason, actor }: { service: string; reason: string; actor: string },
): Promise<ServiceInfo> {
  if (!setup.serviceNames.includes(service)) {
    throw new NotFoundError('service', service);
  }
  await db.transaction(async (tx) => {
    if (!(await insertServiceHold(tx, { service, reason, actor }))) {
      const { hold } = await getServiceInfoOrThrow(tx, setup, service);
      throw new ConflictError(
        `Service ${service} is already held${hold ? ` (by ${hold.held_by} since ${hold.held_at}: ${hold.reason})` : ''}; release it first`,
      );
    }
  });
  return getServiceInfoOrThrow(db, setup, service);
}
