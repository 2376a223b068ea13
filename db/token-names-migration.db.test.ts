import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from './client';
import { MIGRATIONS_FOLDER } from './migrate';
import { describeEachDatabase } from './testing';

const MIGRATION = path.join(MIGRATIONS_FOLDER, '0011_token-names-unique-forever.sql');

describeEachDatabase('migration 0011 on a database that reused token names', (suite) => {
  it('keeps the active (else newest) holder of each name, renames the others <name>#<id>, and ends ADMIN_TOKEN sessions', async () => {
    const { db } = suite.database;
    // The database as it was before: names unique among active tokens only, and by case.
    await db.execute(sql`drop index api_tokens_name`);
    await db.execute(sql`create unique index api_tokens_active_name on api_tokens (name) where revoked_at is null`);
    await db.execute(sql`
      insert into api_tokens (id, name, role, token_hash, created_by, revoked_at) overriding system value values
        (1, 'ci', 'operator', 'h1', 'admin', now()),
        (2, 'ci', 'operator', 'h2', 'admin', now()),
        (3, 'ci', 'operator', 'h3', 'admin', null),
        (4, 'old', 'viewer', 'h4', 'admin', now()),
        (5, 'OLD', 'viewer', 'h5', 'admin', now()),
        (6, 'alone', 'viewer', 'h6', 'admin', now())`);
    await db.execute(sql`
      insert into sessions (session_hash, token_id, credential_hash, expires_at) values
        ('s1', null, 'sha256-of-admin-token', now() + interval '1 hour'),
        ('s2', 3, 'h3', now() + interval '1 hour')`);

    for (const statement of fs.readFileSync(MIGRATION, 'utf8').split('--> statement-breakpoint')) {
      await db.execute(sql.raw(statement));
    }

    const names = await queryRows<{ id: string; name: string }>(db, sql`select id::text, name from api_tokens order by id`);
    expect(names.map((row) => row.name)).toEqual(['ci#1', 'ci#2', 'ci', 'old#4', 'OLD', 'alone']);
    const sessions = await queryRows<{ session_hash: string }>(db, sql`select session_hash from sessions`);
    expect(sessions.map((row) => row.session_hash)).toEqual(['s2']);
    await expect(
      db.execute(sql`insert into api_tokens (name, role, token_hash, created_by) values ('Alone', 'viewer', 'h7', 'admin')`),
    ).rejects.toThrow();
  });
});
