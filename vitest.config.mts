import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['lib/**/*.test.ts', 'components/**/*.test.ts', 'db/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['./db/test-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Orchestrator tests time attempts: two files at once on two cores is the most this machine takes.
    maxWorkers: 2,
  },
});
