import { logger } from '../logger';
import { getRuntime } from './host';

/** Starts the web process's runtime and prints where it serves; exits when it cannot start. */
export async function startWebProcess(): Promise<void> {
  try {
    const runtime = await getRuntime();
    const host = process.env.HOSTNAME && process.env.HOSTNAME !== '0.0.0.0' ? process.env.HOSTNAME : '127.0.0.1';
    const url = `http://${host === '::' ? 'localhost' : host}:${runtime.env.port}`;
    const mode = runtime.env.adminToken
      ? 'tokens required (ADMIN_TOKEN is set)'
      : 'local mode: no tokens, listening on loopback only (set ADMIN_TOKEN to require tokens)';
    logger.info(
      { url, database: runtime.database.kind, orchestrator: runtime.orchestrator ? 'on' : 'off', demo_services: runtime.demoServices?.url ?? 'off' },
      `Switchyard is ready at ${url} — ${mode}`,
    );
    // The one line a person at the terminal looks for, outside the JSON log.
    console.log(`\n  Switchyard is ready at ${url}\n  ${mode}\n`);
  } catch (error) {
    logger.fatal({ err: error }, 'Switchyard could not start');
    process.exit(1);
  }
}
