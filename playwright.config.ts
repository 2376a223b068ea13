import { defineConfig, type Project } from '@playwright/test';

/**
 * End-to-end tests against real servers, each `next start` on its own port with its own embedded
 * database, fixture templates and test handlers (E2E=1), in Debian's Chromium:
 * - the main server, in local mode: a month of finished tasks seeded (scripts/seed-e2e-data.ts,
 *   e2e/pages/seeded-tasks.ts), the demo services and the orchestrator;
 * - the auth server, with ADMIN_TOKEN set (e2e/auth/): an empty database, no orchestrator and no demo
 *   services, only what signing in needs.
 */
const PORT = Number(process.env.E2E_PORT ?? 3210);
const DEMO_PORT = Number(process.env.E2E_DEMO_SERVICES_PORT ?? 3211);
const AUTH_PORT = Number(process.env.E2E_AUTH_PORT ?? 3212);
export const E2E_DATA_DIR = '.test-data/e2e';
const E2E_AUTH_DATA_DIR = '.test-data/e2e-auth';
/** The auth server's ADMIN_TOKEN; e2e/auth/ specs sign in with it. */
export const E2E_ADMIN_TOKEN = 'e2e-admin-token-not-a-secret-0123456789abcdef';

const chromium: Project['use'] = {
  browserName: 'chromium',
  viewport: { width: 1440, height: 900 },
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

/** `next start` on `port` with a fresh embedded database in `dataDir`, after `before` (a command and ' && '). */
function nextServer(port: number, dataDir: string, before: string, env: Record<string, string>) {
  return {
    command: `rm -rf ${dataDir} && ${before}npx next start --port ${port} --hostname 127.0.0.1`,
    url: `http://127.0.0.1:${port}/api/v1/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: { E2E: '1', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: '', ...env },
  };
}

export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'on-first-retry',
  },
  webServer: [
    // The seed opens, migrates and fills the database, then closes it: one owner at a time.
    nextServer(PORT, E2E_DATA_DIR, 'npx tsx scripts/seed-e2e-data.ts && ', {
      DEMO_SERVICES: 'on',
      DEMO_SERVICES_PORT: String(DEMO_PORT),
      ORCHESTRATOR: 'on',
      POLL_INTERVAL_MS: '200',
      ADMIN_TOKEN: '',
    }),
    // The server migrates its fresh database as it starts; nothing is seeded.
    nextServer(AUTH_PORT, E2E_AUTH_DATA_DIR, '', { DEMO_SERVICES: 'off', ORCHESTRATOR: 'off', ADMIN_TOKEN: E2E_ADMIN_TOKEN }),
  ],
  projects: [
    { name: 'api', testMatch: /api\/.*\.spec\.ts$/ },
    { name: 'chromium', testIgnore: /(api|auth)\/.*\.spec\.ts$/, use: chromium },
    { name: 'chromium-auth', testMatch: /auth\/.*\.spec\.ts$/, use: { ...chromium, baseURL: `http://127.0.0.1:${AUTH_PORT}` } },
  ],
});
