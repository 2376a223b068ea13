import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { expect, test } from '@playwright/test';

const PORT = 3230;
const DEMO_PORT = 3231;
const DATA_DIR = '.test-data/npm-start';

/** Whether something accepts connections on the port (127.0.0.1). */
function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

test('SIGTERM to npm start stops the whole server: nothing is left listening on its ports', async () => {
  test.setTimeout(180_000);
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  const npm = spawn('npm', ['start'], {
    env: { ...process.env, PORT: String(PORT), DEMO_SERVICES_PORT: String(DEMO_PORT), DATA_DIR, ADMIN_TOKEN: '', E2E: '', LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    const healthy = await waitUntil(async () => {
      const response = await fetch(`http://127.0.0.1:${PORT}/api/v1/health`).catch(() => undefined);
      return response?.status === 200;
    }, 150_000);
    expect(healthy, 'npm start answered /api/v1/health').toBe(true);
    expect(await isListening(DEMO_PORT)).toBe(true);

    npm.kill('SIGTERM');
    const stopped = await waitUntil(async () => !(await isListening(PORT)) && !(await isListening(DEMO_PORT)), 30_000);
    expect(stopped, 'the server and the demo services stopped listening').toBe(true);
  } finally {
    npm.kill('SIGKILL');
  }
});
