import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { AppError } from '../errors';
import { saveTestTemplate } from '../testing/task-testing';
import { getTaskDetailOrThrow } from './get-task-detail';
import { listTasks } from './list-tasks';

describeEachDatabase('listTasks', (suite) => {
  async function saveTemplates() {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'signup',
      steps: [
        { name: 'user', handler: 'test.noop' },
        { name: 'billing', handler: 'test.noop', dependsOn: ['user'] },
        { name: 'welcome', handler: 'test.noop', dependsOn: ['billing'] },
      ],
    });
    await saveTestTemplate(db, { name: 'export', namespace: 'reports', steps: [{ name: 'render', handler: 'test.noop' }] });
  }

  async function create(name: 'signup' | 'export', context: Record<string, unknown> = {}) {
    const { task } = await createTask(suite.database.db, { namespace: name === 'signup' ? 'tests' : 'reports', name, context });
    return task.id;
  }

  async function pageThrough(filter: Parameters<typeof listTasks>[1], between?: () => Promise<void>) {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listTasks(suite.database.db, { ...filter, cursor });
      ids.push(...page.items.map((item) => item.id));
      cursor = page.next_cursor ?? undefined;
      pages += 1;
      await between?.();
    } while (cursor);
    return { ids, pages };
  }

  it('pages newest first with a keyset cursor: no duplicates or gaps, even while tasks are created', async () => {
    await saveTemplates();
    const created: number[] = [];
    for (let i = 0; i < 23; i++) {
      created.push(await create('signup', { n: i }));
    }
    const { ids, pages } = await pageThrough({ limit: 5 }, async () => {
      await create('signup', { late: true });
    });
    expect(pages).toBe(5);
    expect(ids).toEqual([...created].reverse().map(String));
    const all = await listTasks(suite.database.db, { limit: 500 });
    expect(all.items).toHaveLength(23 + 5);
    expect(all.next_cursor).toBeNull();
    const exact = await listTasks(suite.database.db, { limit: 28 });
    expect(exact.next_cursor).toBeNull();
  });

  it('pages a creation-time range in creation order, ties and out-of-order ids included', async () => {
    await saveTemplates();
    const { db } = suite.database;
    const created: number[] = [];
    for (let i = 0; i < 12; i++) {
      created.push(await create('signup', { n: i }));
    }
    // Concurrent transactions can commit ids out of creation order, and share a microsecond.
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 10, 12, minutes)).toISOString();
    const times = [0, 1, 1, 1, 5, 3, 7, 7, 9, 2, 30, 60];
    for (const [index, id] of created.entries()) {
      await db.execute(sql`update tasks set created_at = ${at(times[index]!)}::timestamptz where id = ${id}`);
    }
    const expected = created
      .map((id, index) => ({ id, time: times[index]! }))
      .filter(({ time }) => time >= 1 && time < 30)
      .sort((a, b) => b.time - a.time || b.id - a.id)
      .map(({ id }) => String(id));
    const { ids, pages } = await pageThrough({ limit: 3, created_after: at(1), created_before: at(30) }, async () => {
      await create('signup', { late: true });
    });
    expect(ids).toEqual(expected);
    expect(pages).toBe(3);
    // A cursor of one kind of list is refused by the other: it would skip or repeat tasks.
    const rangePage = await listTasks(db, { limit: 3, created_after: at(1) });
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: unknown) => (error instanceof AppError ? error.code : String(error)),
      );
    expect(await codeOf(listTasks(db, { limit: 3, cursor: rangePage.next_cursor! }))).toBe('invalid_input');
    const plainPage = await listTasks(db, { limit: 3 });
    expect(await codeOf(listTasks(db, { limit: 3, created_after: at(1), cursor: plainPage.next_cursor! }))).toBe('invalid_input');
    const impossible = Buffer.from(`c2026-02-30T00:00:00.000000Z|${created[0]}`).toString('base64url');
    expect(await codeOf(listTasks(db, { limit: 3, created_after: at(1), cursor: impossible }))).toBe('invalid_input');
  });

  it('describes each task with its open steps, most urgent first, and its progress', async () => {
    await saveTemplates();
    const id = await create('signup');
    const { db } = suite.database;
    await db.execute(sql`update steps set status = 'complete' where task_id = ${id} and name = 'user'`);
    await db.execute(sql`update steps set status = 'waiting_retry' where task_id = ${id} and name = 'billing'`);
    const [item] = (await listTasks(db, { limit: 10 })).items;
    expect(item).toMatchObject({
      id: String(id),
      namespace: 'tests',
      name: 'signup',
      status: 'pending',
      step_count: 3,
      steps_done: 1,
      open_step_count: 2,
      open_steps: [
        { name: 'billing', status: 'waiting_retry', attempts: 0 },
        { name: 'welcome', status: 'pending', attempts: 0 },
      ],
    });
    expect(item!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('filters by status, template, step and step status, context text and creation time, and combines them', async () => {
    await saveTemplates();
    const { db } = suite.database;
    const ann = await create('signup', { user_info: { email: 'Ann.Smith@Example.com' } });
    const bob = await create('signup', { user_info: { email: 'bob@example.com', note: '100%_sure' } });
    const report = await create('export', { owner: 'ann.smith@example.com' });
    const old = await create('signup', { user_info: { email: 'old@example.com' } });
    await db.execute(sql`update tasks set status = 'error' where id in (${ann}, ${report})`);
    await db.execute(sql`update steps set status = 'error' where task_id = ${ann} and name = 'billing'`);
    await db.execute(sql`update steps set status = 'complete' where task_id = ${bob} and name = 'user'`);
    await db.execute(sql`update tasks set created_at = '2020-01-15T12:00:00Z' where id = ${old}`);

    const ids = async (filter: Omit<Parameters<typeof listTasks>[1], 'limit'>) =>
      (await listTasks(db, { limit: 50, ...filter })).items.map((item) => Number(item.id)).sort((a, b) => a - b);

    expect(await ids({ status: ['error'] })).toEqual([ann, report]);
    expect(await ids({ status: ['pending', 'error'] })).toEqual([ann, bob, report, old]);
    expect(await ids({ namespace: 'reports' })).toEqual([report]);
    expect(await ids({ namespace: 'tests', name: 'signup' })).toEqual([ann, bob, old]);
    expect(await ids({ step: 'billing', step_status: ['error'] })).toEqual([ann]);
    expect(await ids({ step_status: ['complete'] })).toEqual([bob]);
    expect(await ids({ step: 'render' })).toEqual([report]);
    expect(await ids({ q: 'ann.smith@example.com' })).toEqual([ann, report]);
    expect(await ids({ q: 'ANN.SMITH', namespace: 'tests' })).toEqual([ann]);
    // LIKE's wildcards in q are plain characters.
    expect(await ids({ q: '100%_sure' })).toEqual([bob]);
    expect(await ids({ q: '100%' })).toEqual([bob]);
    expect(await ids({ q: '_' })).toEqual([ann, bob, old]);
    expect(await ids({ created_before: '2021-01-01' })).toEqual([old]);
    expect(await ids({ created_after: '2020-01-15T12:00:00Z', created_before: '2020-01-15T12:00:01' })).toEqual([old]);
    expect(await ids({ created_after: '2021-01-01T00:00:00+02:00', status: ['error'] })).toEqual([ann, report]);
    expect(await ids({ status: ['complete'] })).toEqual([]);
  });

  it('filters by error signature: numbers, uuids, e-mail addresses and identifiers in the message do not split a failure', async () => {
    await saveTemplates();
    const { db } = suite.database;
    const first = await create('signup');
    const second = await create('signup');
    const other = await create('signup');
    const setError = (taskId: number, error: Record<string, unknown>) =>
      db.execute(sql`update steps set status = 'error', last_error = ${JSON.stringify(error)}::jsonb where task_id = ${taskId} and name = 'billing'`);
    await setError(first, {
      class: 'PermanentError',
      code: 'rejected',
      http_status: 422,
      message: 'user 17 (a@b.io) 3f2504e0-4f89-11d3-9a0c-0305e82c3301 rejected by usr_1c6fb56a0e304a6b after 2s',
    });
    await setError(second, {
      class: 'PermanentError',
      code: 'rejected',
      http_status: 422,
      message: 'user 42 (c@d.org) 6fa459ea-ee8a-3ca4-894e-db77e160355e rejected by usr_db94e2f1c3d5e7 after 15s',
    });
    await setError(other, { class: 'PermanentError', code: 'rejected', http_status: 409, message: 'user 42 (c@d.org) rejected' });
    const [row] = await queryRows<{ key: string }>(db, sql`select error_signature as key from steps where task_id = ${first} and name = 'billing'`);
    // The generated column holds the md5 of the normalised signature.
    expect(row!.key).toBe(createHash('md5').update('rejected | HTTP 422 | user <n> (<email>) <uuid> rejected by <id> after <n>s').digest('hex'));
    const page = await listTasks(db, { limit: 50, error_signature: row!.key });
    expect(page.items.map((item) => Number(item.id)).sort((a, b) => a - b)).toEqual([first, second]);
    expect((await listTasks(db, { limit: 50, error_signature: row!.key, step: 'user' })).items).toEqual([]);
  });

  it('lists a bounded preview of each context, the e-mail kept, and leaves the whole context to the task itself', async () => {
    await saveTemplates();
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const context = {
        payload: { document: 'p'.repeat(380_000), pages: Array.from({ length: 50 }, (_, page) => ({ page, text: 't'.repeat(200) })) },
        user_info: { email: `big${i}@example.com`, name: `Big ${i}` },
      };
      ids.push(await create('signup', context));
    }
    await create('signup', { user_info: { email: 'small@example.com' } });
    const page = await listTasks(suite.database.db, { limit: 50 });
    expect(page.items).toHaveLength(6);
    const [small, ...big] = page.items;
    expect(small).toMatchObject({ context: { user_info: { email: 'small@example.com' } }, context_truncated: false });
    for (const item of big) {
      expect(item.context_truncated).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(item.context))).toBeLessThanOrEqual(2048);
      expect(item.context).toMatchObject({ user_info: { email: expect.stringMatching(/^big\d@example\.com$/) } });
    }
    // 1.9 MB of contexts; the page is a few kilobytes.
    expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(16_000);
    // The search still reads the whole context, and the task still has all of it.
    expect(
      (
        await listTasks(suite.database.db, {
          limit: 50,
          q: 'ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt',
        })
      ).items,
    ).toHaveLength(5);
    const detail = await getTaskDetailOrThrow(suite.database.db, ids[0]!);
    expect((detail.context as { payload: { document: string } }).payload.document).toHaveLength(380_000);
  });

  it('refuses a cursor it did not make and a date that does not exist', async () => {
    await saveTemplates();
    const codeOf = (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (error: unknown) => (error instanceof AppError ? error.code : String(error)),
      );
    expect(await codeOf(listTasks(suite.database.db, { limit: 5, cursor: 'not-a-cursor' }))).toBe('invalid_input');
    expect(await codeOf(listTasks(suite.database.db, { limit: 5, cursor: Buffer.from('t0').toString('base64url') }))).toBe('invalid_input');
    expect(await codeOf(listTasks(suite.database.db, { limit: 5, created_after: '2026-13-45' }))).toBe('invalid_input');
  });
});
