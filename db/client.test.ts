import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { openDatabase } from './client';

it('refuses a second process on an embedded data directory that is in use, and frees it on close', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-lock-'));
  const openFromAnotherProcess = () =>
    spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./db/client.ts').then(async ({ openDatabase }) => { const d = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} }); await d.close(); console.log('opened'); })`,
      ],
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

/** Every file and directory under `root` that a group or other users may read, write or enter. */
function listSharedEntries(root: string): string[] {
  const shared: string[] = [];
  const walk = (entry: string) => {
    const stats = fs.lstatSync(entry);
    if ((stats.mode & 0o077) !== 0) {
      shared.push(`${path.relative(root, entry) || '.'} ${(stats.mode & 0o777).toString(8)}`);
    }
    if (stats.isDirectory()) {
      fs.readdirSync(entry).forEach((name) => walk(path.join(entry, name)));
    }
  };
  walk(root);
  return shared;
}

it('keeps an embedded database private: nothing under DATA_DIR is open to group or others, even a tree that was', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-modes-'));
  const dataDir = path.join(parent, 'data');
  try {
    const database = await openDatabase({ dataDir });
    // New relation files, indexes and WAL appear after the open.
    await database.db.execute(sql`create table private_rows as select generate_series(1, 20000) as n`);
    await database.db.execute(sql`create index on private_rows (n)`);
    await database.db.execute(sql`checkpoint`);
    expect(listSharedEntries(dataDir)).toEqual([]);
    await database.close();
    expect(fs.readdirSync(path.join(dataDir, 'pglite')).length).toBeGreaterThan(10);

    // A directory written before this rule (or by hand) is made private when it is opened.
    const loosen = (entry: string) => {
      fs.chmodSync(entry, fs.statSync(entry).isDirectory() ? 0o777 : 0o666);
      if (fs.statSync(entry).isDirectory()) {
        fs.readdirSync(entry).forEach((name) => loosen(path.join(entry, name)));
      }
    };
    loosen(dataDir);
    expect(listSharedEntries(dataDir).length).toBeGreaterThan(900);
    const reopened = await openDatabase({ dataDir });
    try {
      expect(listSharedEntries(dataDir)).toEqual([]);
      expect(await reopened.db.execute(sql`select count(*)::int as count from private_rows`)).toMatchObject({ rows: [{ count: 20000 }] });
    } finally {
      await reopened.close();
    }
  } finally {
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
