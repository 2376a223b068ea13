import { spawn, spawnSync } from 'node:child_process';
import { readEnv } from '../lib/env';

/**
 * `npm start`: builds the app if needed, then serves the dashboard and API with the orchestrator and
 * the demo services in the same process (see instrumentation.ts). Without ADMIN_TOKEN the server is
 * in local mode and listens on loopback only.
 */
const env = readEnv();
const build = spawnSync('npx', ['tsx', 'scripts/ensure-build.ts'], { stdio: 'inherit' });
if (build.status !== 0) {
  process.exit(build.status ?? 1);
}
const hostname = env.adminToken ? (process.env.HOST ?? '0.0.0.0') : '127.0.0.1';
const server = spawn('npx', ['next', 'start', '--port', String(env.port), '--hostname', hostname], {
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', HOSTNAME: hostname, PORT: String(env.port) },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code) => process.exit(code ?? 0));
