import type { DbOrTx } from '../../db/client';
import type { ServiceInfo } from '../api/types';
import { ConflictError } from '../errors';
import { listServices, type ServiceSetup } from '../reads/list-services';

/** Every demo service up, every record and counter cleared. Conflict when the demo services are off. */
export async function resetDemoServices(db: DbOrTx, setup: ServiceSetup): Promise<ServiceInfo[]> {
  if (!setup.demoServices) {
    throw new ConflictError('The demo services are off (DEMO_SERVICES=off): there is nothing to reset');
  }
  setup.demoServices.state.reset();
  return listServices(db, setup);
}
