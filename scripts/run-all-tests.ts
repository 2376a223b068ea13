import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm test`: unit and database tests (vitest: embedded Postgres, and PostgreSQL when
 * TEST_DATABASE_URL is set), then the end-to-end tests (Playwright: API and Chromium). Ends with one
 * plain line "N passed, N failed" and a non-zero exit code when anything failed.
 */
const reports = path.resolve('.test-data/reports');
fs.rmSync(reports, { recursive: true, force: true });
fs.mkdirSync(reports, { recursive: true });
const vitestReport = path.join(reports, 'vitest.json');
const playwrightReport = path.join(reports, 'playwright.json');

function run(command: string, args: string[], env: Record<string, string> = {}): number {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

const onlyUnit = process.argv.includes('--unit');
const vitestStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]);
let playwrightStatus = 0;
let budgetStatus = 0;
if (!onlyUnit) {
  const buildStatus = run('npx', ['tsx', 'scripts/ensure-build.ts']);
  // The JavaScript each page loads first, from the build just made: one line per route over its budget.
  budgetStatus = buildStatus !== 0 ? 0 : run('npx', ['tsx', 'scripts/check-js-budget.ts']);
  playwrightStatus = buildStatus !== 0 ? buildStatus : run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightReport });
}

let passed = 0;
let failed = 0;
let skipped = 0;
if (fs.existsSync(vitestReport)) {
  const report = JSON.parse(fs.readFileSync(vitestReport, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
if (fs.existsSync(playwrightReport)) {
  const report = JSON.parse(fs.readFileSync(playwrightReport, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  passed += report.stats.expected + report.stats.flaky;
  failed += report.stats.unexpected;
  skipped += report.stats.skipped;
}
if (vitestStatus !== 0 && failed === 0) {
  failed += 1; // the runner itself failed (e.g. global setup): count it, never report green
}
if (playwrightStatus !== 0 && failed === 0) {
  failed += 1;
}
if (budgetStatus !== 0) {
  failed += 1; // a route over its JavaScript budget (scripts/check-js-budget.ts said which)
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(vitestStatus !== 0 || playwrightStatus !== 0 || budgetStatus !== 0 ? 1 : 0);
