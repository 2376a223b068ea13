import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests against a real server: `next start` on its own port, a fresh embedded database
 * seeded with a month of finished tasks (scripts/seed-e2e-data.ts, e2e/pages/seeded-tasks.ts), the demo
 * services, fixture templates and test handlers (E2E=1), and Debian's Chromium.
 */
const PORT = Number(process.env.E2E_PORT ?? 3210);
const DEMO_PORT = Number(process.env.E2E_DEMO_SERVICES_PORT ?? 3211);
export const E2E_DATA_DIR = '.test-data/e2e';

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
  webServer: {
    // The seed opens, migrates and fills the database, then closes it: one owner at a time.
    command: `rm -rf ${E2E_DATA_DIR} && npx tsx scripts/seed-e2e-data.ts && npx next start --port ${PORT} --hostname 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/api/v1/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      E2E: '1',
      PORT: String(PORT),
      DATA_DIR: E2E_DATA_DIR,
      DEMO_SERVICES: 'on',
      DEMO_SERVICES_PORT: String(DEMO_PORT),
      ORCHESTRATOR: 'on',
      POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL: '',
      ADMIN_TOKEN: '',
    },
  },
  projects: [
    { name: 'api', testMatch: /api\/.*\.spec\.ts$/ },
    {
      name: 'chromium',
      testIgnore: /api\/.*\.spec\.ts$/,
      use: {
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
      },
    },
  ],
});
