import { readEnv } from '../lib/env';
import { logger } from '../lib/logger';
import { startRuntime } from '../lib/runtime/host';

/**
 * `npm run worker`: an orchestrator process without the web server, for scale-out on PostgreSQL.
 * Any number may run against one database: claims use FOR UPDATE SKIP LOCKED.
 */
const env = readEnv();
if (!env.databaseUrl) {
  console.error(
    'npm run worker needs DATABASE_URL: the embedded database (PGlite) has one owner, the web process started by npm start.\n' +
      'Set DATABASE_URL=postgres://… for the web process and every worker to share one PostgreSQL.',
  );
  process.exit(2);
}
const runtime = await startRuntime({ env, withOrchestrator: true, withDemoServices: false, withTemplates: false });
logger.info({ worker_id: runtime.orchestrator?.workerId, concurrency: env.workerConcurrency }, 'worker started');
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'worker stopping: finishing or releasing the steps it holds');
    void runtime.stop().then(() => process.exit(0));
  });
}
