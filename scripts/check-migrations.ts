import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Fails when db/schema.ts and db/migrations disagree: runs `drizzle-kit generate` into a copy of the
 * migrations and checks that it wrote nothing new.
 */
// drizzle-kit takes --out relative to the working directory.
const copy = path.join('.test-data', `migrations-check-${process.pid}`);
fs.rmSync(copy, { recursive: true, force: true });
fs.mkdirSync(copy, { recursive: true });
fs.cpSync('db/migrations', copy, { recursive: true });
const before = fs.readdirSync(copy).length;
const result = spawnSync(
  'npx',
  [
    'drizzle-kit',
    'generate',
    '--dialect',
    'postgresql',
    '--schema',
    './db/schema.ts',
    '--out',
    copy,
    '--casing',
    'snake_case',
    '--name',
    'drift-check',
  ],
  {
    encoding: 'utf8',
  },
);
const after = fs.readdirSync(copy).length;
fs.rmSync(copy, { recursive: true, force: true });
if (result.status !== 0) {
  console.error(result.stdout, result.stderr);
  process.exit(1);
}
if (after !== before || !/No schema changes/i.test(result.stdout)) {
  console.error('db/schema.ts has changes that no migration holds: run `npm run db:generate -- --name <what-changed>` and commit the file.');
  console.error(result.stdout);
  process.exit(1);
}
console.log('migrations are in step with db/schema.ts');
