import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('npm run worker refuses to start without DATABASE_URL, and says why', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/run-worker.ts'], {
    env: { ...process.env, DATABASE_URL: '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/needs DATABASE_URL/);
  expect(result.stderr).toMatch(/one owner/);
});
