import type { DbOrTx } from '../../db/client';
import type { ServiceInfo } from '../api/types';
import { ConflictError, NotFoundError } from '../errors';
import { isDemoService, listServices, type ServiceSetup } from '../reads/list-services';
import type { DemoServiceSettings } from './demo-services';

/**
 * Makes a demo service misbehave on purpose (down, slow, flaky, rate_limited, reject) or behave again
 * (up). Conflict when the demo services are off or the service has a URL of its own.
 */
export async function setDemoServiceMode(db: DbOrTx, setup: ServiceSetup, name: string, settings: DemoServiceSettings): Promise<ServiceInfo> {
  if (!setup.serviceNames.includes(name)) {
    throw new NotFoundError('service', name);
  }
  if (!setup.demoServices) {
    throw new ConflictError('The demo services are off (DEMO_SERVICES=off): there is no demo service to configure');
  }
  if (!isDemoService(name, setup)) {
    throw new ConflictError(`Service ${name} is not a demo service: it has a URL of its own (${setup.serviceUrls[name] ?? 'none'})`);
  }
  setup.demoServices.state.configure(name, settings);
  const services = await listServices(db, setup);
  const service = services.find((entry) => entry.name === name);
  if (!service) {
    throw new NotFoundError('service', name);
  }
  return service;
}
