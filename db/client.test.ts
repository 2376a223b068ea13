import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openDatabase } from './client';

it('refuses a second process on an embedded data directory that is in use, and frees it on close', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-lock-'));
  const openFromAnotherProcess = () =>
    spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', `import('./db/client.ts').then(async ({ openDatabase }) => { const d = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} }); await d.close(); console.log('opened'); })`],
      { encoding: 'utf8', timeout: 60_000 },
    );
  const database = await openDatabase({ dataDir });
  try {
    const refused = openFromAnotherProcess();
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/already open in process \d+/);
  } finally {
    await database.close();
  }
  const allowed = openFromAnotherProcess();
  expect(allowed.stdout).toContain('opened');
  fs.rmSync(dataDir, { recursive: true, force: true });
});
