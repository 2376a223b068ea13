import { openDatabase, type Database } from '../db/client';
import { findTokenPrincipal } from '../lib/auth/authenticate-request';
import { startDemoServices } from '../lib/demo/demo-services';
import { readEnv } from '../lib/env';
import { logger } from '../lib/logger';

/**
 * `npm run demo-services`: the demo microservices alone, on DEMO_SERVICES_PORT, for a deployment of
 * several processes where no web process runs them (DEMO_SERVICES=off in each). The web processes and
 * workers reach them at http://127.0.0.1:$DEMO_SERVICES_PORT (or SERVICE_<NAME>_URL). With ADMIN_TOKEN
 * set, `/_control` takes the API's tokens, read from DATABASE_URL's database, as it does inside npm start.
 */
const env = readEnv();
let database: Database | undefined;
if (env.adminToken) {
  if (!env.databaseUrl) {
    console.error('npm run demo-services with ADMIN_TOKEN needs DATABASE_URL, to check the API tokens that drive /_control.');
    process.exit(2);
  }
  database = await openDatabase({ url: env.databaseUrl, maxConnections: 2 });
}
const adminToken = env.adminToken;
const demoServices = await startDemoServices({
  port: env.demoServicesPort,
  findControlPrincipal: database && adminToken ? (token) => findTokenPrincipal(database.db, token, adminToken) : undefined,
});
logger.info({ url: demoServices.url }, 'demo services started');
console.log(`\n  Demo services at ${demoServices.url} (/user, /billing, /preferences, /notification; /_control)\n`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      return;
    }
    stopping = true;
    void demoServices
      .close()
      .then(() => database?.close())
      .then(() => process.exit(0));
  });
}
