import path from 'node:path';
import { openDatabase, type Database } from '../../db/client';
import { migrateDatabase } from '../../db/migrate';
import { registerTemplates } from '../actions/register-templates';
import { findTokenPrincipal } from '../auth/authenticate-request';
import { startDemoServices, type DemoServices } from '../demo/demo-services';
import { DEFAULT_CIRCUIT_BREAKER } from '../engine/circuit-breaker';
import type { CreateServiceCaller } from '../engine/run-attempt';
import { startOrchestrator, type Orchestrator } from '../engine/runner';
import { readEnv, type SwitchyardEnv } from '../env';
import { defaultHandlerRegistry, type HandlerRegistry } from '../handlers/index';
import { logger } from '../logger';
import { createServiceCaller } from '../services/call-service';
import { listServiceNames, readServiceAliases, resolveServiceUrls, shouldStartDemoServices, type ServiceAliases } from '../services/service-registry';
import type { TemplateValidationOptions } from '../templates/validate-template';

/** Everything one process runs: the database, the handlers, the services, and maybe an orchestrator. */
export type Runtime = {
  env: SwitchyardEnv;
  database: Database;
  handlers: HandlerRegistry;
  serviceNames: string[];
  /** URL → service, for Tasker templates' `handler_config.url` (`SERVICE_<NAME>_ALIASES`). */
  serviceAliases: ServiceAliases;
  serviceUrls: Record<string, string>;
  demoServices: DemoServices | undefined;
  orchestrator: Orchestrator | undefined;
  startedAt: Date;
  stop(): Promise<void>;
};

const TEMPLATES_DIRECTORY = path.resolve(process.cwd(), 'templates');
const E2E_TEMPLATES_DIRECTORY = path.resolve(process.cwd(), 'e2e/fixtures/templates');

export function createServiceCallerFactory(serviceUrls: Record<string, string>): CreateServiceCaller {
  return (options) => createServiceCaller({ urls: serviceUrls, ...options });
}

/** What validating a template needs from a runtime: its handlers, services (and their URLs) and environment. */
export function templateValidationOptions(runtime: Pick<Runtime, 'env' | 'handlers' | 'serviceNames' | 'serviceAliases'>): TemplateValidationOptions {
  return {
    handlers: runtime.handlers,
    services: runtime.serviceNames,
    serviceAliases: runtime.serviceAliases,
    environment: runtime.env.templateEnvironment,
  };
}

/**
 * Starts a process's runtime: opens and migrates the database, starts the demo services when they
 * are wanted, registers the templates, and starts the orchestrator when `withOrchestrator`.
 */
export async function startRuntime({
  env = readEnv(),
  withOrchestrator = env.orchestrator,
  withDemoServices = shouldStartDemoServices(process.env),
  withTemplates = true,
}: { env?: SwitchyardEnv; withOrchestrator?: boolean; withDemoServices?: boolean; withTemplates?: boolean } = {}): Promise<Runtime> {
  const database = await openDatabase({ url: env.databaseUrl, dataDir: env.dataDir });
  try {
    await migrateDatabase(database);
    const handlers = defaultHandlerRegistry({ withTestHandlers: env.e2e });
    const { adminToken } = env;
    const demoServices = withDemoServices
      ? await startDemoServices({
          port: env.demoServicesPort,
          // The demo services' control takes the API's tokens, so a token revoked there stops working here too.
          findControlPrincipal: adminToken ? (token) => findTokenPrincipal(database.db, token, adminToken) : undefined,
        })
      : undefined;
    const serviceNames = listServiceNames(process.env);
    const serviceAliases = readServiceAliases(process.env);
    const serviceUrls = resolveServiceUrls({ env: process.env, demoServicesUrl: demoServices?.url ?? `http://127.0.0.1:${env.demoServicesPort}` });
    if (withTemplates) {
      const directories = env.e2e ? [TEMPLATES_DIRECTORY, E2E_TEMPLATES_DIRECTORY] : [TEMPLATES_DIRECTORY];
      const { loaded, created } = await registerTemplates(database.db, {
        directories,
        ...templateValidationOptions({ env, handlers, serviceNames, serviceAliases }),
      });
      logger.info({ loaded, created }, 'templates registered');
    }
    const orchestrator = withOrchestrator
      ? await startOrchestrator({
          database,
          handlers,
          createServiceCaller: createServiceCallerFactory(serviceUrls),
          concurrency: env.workerConcurrency,
          localQueueSize: env.workerLocalQueueSize,
          pollIntervalMs: env.pollIntervalMs,
          leaseSeconds: env.leaseSeconds,
          serviceLimits: env.serviceLimits,
          alerts: { webhookUrl: env.alertWebhookUrl, quietSeconds: env.alertQuietSeconds, publicUrl: env.publicUrl },
          redactFields: env.redactFields,
          retention:
            env.retentionDays === undefined
              ? undefined
              : { retentionDays: env.retentionDays, archiveDirectory: env.archive ? path.join(env.dataDir, 'archive') : undefined },
          circuitBreaker: {
            ...DEFAULT_CIRCUIT_BREAKER,
            failureThreshold: env.circuitFailureThreshold,
            cooldownSeconds: env.circuitCooldownSeconds,
          },
        })
      : undefined;
    return {
      env,
      database,
      handlers,
      serviceNames,
      serviceAliases,
      serviceUrls,
      demoServices,
      orchestrator,
      startedAt: new Date(),
      async stop() {
        await orchestrator?.stop();
        await demoServices?.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

const RUNTIME_KEY = Symbol.for('switchyard.runtime');
type RuntimeHolder = { [RUNTIME_KEY]?: Promise<Runtime> };

/**
 * The web process's one runtime. Next.js evaluates modules more than once per process
 * (instrumentation and routes), so the runtime lives on globalThis.
 */
export function getRuntime(): Promise<Runtime> {
  const holder = globalThis as RuntimeHolder;
  holder[RUNTIME_KEY] ??= startRuntime().then((runtime) => {
    const stopOnSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'stopping');
      void runtime.stop().finally(() => process.exit(0));
    };
    process.once('SIGTERM', stopOnSignal);
    process.once('SIGINT', stopOnSignal);
    return runtime;
  });
  return holder[RUNTIME_KEY];
}
