import { spawn, spawnSync } from 'node:child_process';
import { readEnv, type SwitchyardEnv } from '../lib/env';

/**
 * `npm start`: builds the app if needed, then serves the dashboard and API with the orchestrator and
 * the demo services in the same process (see instrumentation.ts) on HOST. Without ADMIN_TOKEN the
 * server is in local mode: HOST must be loopback, and the server itself refuses other machines.
 */
let env: SwitchyardEnv;
try {
  env = readEnv();
} catch (error) {
  console.error(`\n  Switchyard cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const build = spawnSync('npx', ['tsx', 'scripts/ensure-build.ts'], { stdio: 'inherit' });
if (build.status !== 0) {
  process.exit(build.status ?? 1);
}
const server = spawn('npx', ['next', 'start', '--port', String(env.port), '--hostname', env.host], {
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PORT: String(env.port) },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code) => process.exit(code ?? 0));
