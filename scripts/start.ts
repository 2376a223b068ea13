import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
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
// Next.js's own CLI, run by this Node.js: no npx in between, which would not pass a signal on and
// leave the server running on the data directory after this process is gone.
const nextCli = createRequire(import.meta.url).resolve('next/dist/bin/next');
const server = spawn(process.execPath, [nextCli, 'start', '--port', String(env.port), '--hostname', env.host], {
  stdio: 'inherit',
  env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', PORT: String(env.port) },
});
/** How long the server may take to record what it is doing and stop, before it is killed. */
const STOP_GRACE_MS = 20_000;
let stopping = false;
function stopServer(signal: NodeJS.Signals) {
  if (stopping) {
    return;
  }
  stopping = true;
  server.kill(signal);
  setTimeout(() => server.kill('SIGKILL'), STOP_GRACE_MS).unref();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => stopServer(signal));
}
// npm does not pass a SIGTERM on to its script: when the process that started this one is gone, stop.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) {
    stopServer('SIGTERM');
  }
}, 500).unref();
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
