import net from 'node:net';
import { isLoopbackAddress } from '../auth/loopback';
import { ensurePeerGuard } from '../auth/peer-guard';
import { readEnv } from '../env';
import { logger } from '../logger';
import { getRuntime } from './host';

/**
 * Starts the web process's runtime and prints where it serves; exits when it cannot start. The peer
 * guard comes first, before anything is awaited: in local mode it refuses other machines whatever
 * address the server was told to listen on.
 */
export async function startWebProcess(): Promise<void> {
  try {
    const env = readEnv();
    ensurePeerGuard({ refuseNonLoopback: !env.adminToken });
    const runtime = await getRuntime();
    const address = findListeningAddress(runtime.env.port);
    const listening = address === undefined ? `port ${runtime.env.port}` : describeAddress(address);
    const mode = runtime.env.adminToken
      ? `tokens required (ADMIN_TOKEN is set); listening on ${listening}`
      : `local mode: no tokens, this machine only; listening on ${listening}` +
        (address !== undefined && isLoopbackAddress(address) ? '' : ', connections from other machines are refused') +
        ' (set ADMIN_TOKEN to require tokens)';
    const url = runtime.env.publicUrl;
    logger.info(
      {
        url,
        listening,
        database: runtime.database.kind,
        orchestrator: runtime.orchestrator ? 'on' : 'off',
        demo_services: runtime.demoServices?.url ?? 'off',
      },
      `Switchyard is ready at ${url} — ${mode}`,
    );
    // The one line a person at the terminal looks for, outside the JSON log.
    console.log(`\n  Switchyard is ready at ${url}\n  ${mode}\n`);
  } catch (error) {
    logger.fatal({ err: error }, 'Switchyard could not start');
    console.error(`\n  Switchyard could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

/**
 * The address the server of this process listens on for `port`, read from the listening socket itself:
 * `next start` may have been given any --hostname, or none (every address).
 */
function findListeningAddress(port: number): string | undefined {
  // Node lists a process's open handles only through this undocumented call; it has kept it for years.
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  for (const handle of handles) {
    if (handle instanceof net.Server) {
      const address = handle.address();
      if (address !== null && typeof address === 'object' && address.port === port) {
        return address.address;
      }
    }
  }
  return undefined;
}

function describeAddress(address: string): string {
  if (address === '::' || address === '0.0.0.0') {
    return `every address (${address})`;
  }
  return address.includes(':') ? `[${address}]` : address;
}
