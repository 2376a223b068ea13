import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import type { TaskRow } from '../../db/schema';
import { describeEachDatabase } from '../../db/testing';
import { AppError } from '../errors';
import { saveTestTemplate } from '../testing/task-testing';
import { createTask, type CreateTaskInput } from './create-task';

const signupSchema = {
  type: 'object',
  required: ['email'],
  properties: { email: { type: 'string', format: 'email' }, plan: { type: 'string', enum: ['free', 'pro'], default: 'free' } },
};

type Outcome = { task: TaskRow; created: boolean } | { code: string; message: string; details: unknown };

/** Every call's own answer, whatever the others' (a rejected call is its error's code, message and details). */
function settle(call: Promise<{ task: TaskRow; created: boolean }>): Promise<Outcome> {
  return call.then(
    (value) => value,
    (error: unknown) => ({
      code: error instanceof AppError ? error.code : 'thrown',
      message: (error as Error).message,
      details: error instanceof AppError ? error.details : [],
    }),
  );
}

describeEachDatabase('createTask: concurrent calls written together', (suite) => {
  async function saveTemplates() {
    const steps = [
      { name: 'create_user', handler: 'test.noop' },
      { name: 'billing', handler: 'test.noop', dependsOn: ['create_user'] },
    ];
    await saveTestTemplate(suite.database.db, { name: 'signup', schema: signupSchema, identityFields: ['email'], steps });
    await saveTestTemplate(suite.database.db, { name: 'plain', steps });
  }

  async function countRows() {
    const [row] = await queryRows<{ tasks: number; steps: number; dependencies: number; transitions: number; transactions: number }>(
      suite.database.db,
      sql`select (select count(*) from tasks)::int as tasks, (select count(*) from steps)::int as steps,
        (select count(*) from step_dependencies)::int as dependencies, (select count(*) from transitions)::int as transitions,
        (select count(distinct xmin::text) from tasks)::int as transactions`,
    );
    return row!;
  }

  it('answers each of many concurrent calls on its own: created, replayed, refused or not found, as if each had been made alone', async () => {
    await saveTemplates();
    const db = suite.database.db;
    const stored = await createTask(db, { namespace: 'tests', name: 'signup', context: { email: 'old@example.com' }, idempotencyKey: 'old-key' });
    const before = await countRows();

    const calls: [string, CreateTaskInput][] = [
      ...Array.from({ length: 10 }, (_, n): [string, CreateTaskInput] => [
        `new ${n}`,
        { namespace: 'tests', name: 'plain', context: { n }, correlationId: 'shared-correlation', actor: `client-${n % 2}` },
      ]),
      ['invalid context', { namespace: 'tests', name: 'signup', context: { email: 'not an address' } }],
      ['unknown template', { namespace: 'tests', name: 'nowhere', context: {} }],
      ['unknown version', { namespace: 'tests', name: 'plain', version: '9.9.9', context: {} }],
      ['replay of a stored task', { namespace: 'tests', name: 'signup', context: { email: 'old@example.com' }, idempotencyKey: 'old-key' }],
      ['stored key, other body', { namespace: 'tests', name: 'signup', context: { email: 'other@example.com' }, idempotencyKey: 'old-key' }],
      ['stored identity', { namespace: 'tests', name: 'signup', context: { email: 'old@example.com', plan: 'pro' } }],
      ['new identity, first', { namespace: 'tests', name: 'signup', context: { email: 'ivy@example.com' } }],
      ['new identity, again', { namespace: 'tests', name: 'signup', context: { email: 'ivy@example.com', plan: 'pro' } }],
      ['new key, first', { namespace: 'tests', name: 'signup', context: { email: 'kim@example.com' }, idempotencyKey: 'kim-key' }],
      ['new key, replay', { namespace: 'tests', name: 'signup', context: { email: 'kim@example.com' }, idempotencyKey: 'kim-key' }],
      ['new key, other body', { namespace: 'tests', name: 'signup', context: { email: 'lee@example.com' }, idempotencyKey: 'kim-key' }],
    ];
    const outcomes = new Map(await Promise.all(calls.map(async ([label, input]) => [label, await settle(createTask(db, input))] as const)));
    const taskOf = (label: string) => (outcomes.get(label) as { task: TaskRow }).task;

    for (let n = 0; n < 10; n++) {
      expect(outcomes.get(`new ${n}`), `new ${n}`).toMatchObject({
        created: true,
        task: { name: 'plain', context: { n }, correlationId: 'shared-correlation', createdBy: `client-${n % 2}` },
      });
    }
    expect(new Set(Array.from({ length: 10 }, (_, n) => taskOf(`new ${n}`).id)).size).toBe(10);
    expect(outcomes.get('invalid context')).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('does not match the schema of tests/signup@1.0.0'),
      details: [{ path: '/context/email', message: expect.any(String) }],
    });
    expect(outcomes.get('unknown template')).toMatchObject({ code: 'not_found', message: 'No template tests/nowhere' });
    expect(outcomes.get('unknown version')).toMatchObject({ code: 'not_found', message: 'No template tests/plain@9.9.9' });
    expect(outcomes.get('replay of a stored task')).toEqual({ task: stored.task, created: false });
    expect(outcomes.get('stored key, other body')).toMatchObject({
      code: 'invalid_input',
      message: 'This Idempotency-Key was already used for a different request',
      details: [{ path: '/idempotency_key', message: expect.stringContaining(`task ${stored.task.id}`) }],
    });
    expect(outcomes.get('stored identity')).toEqual({ task: stored.task, created: false });
    // Two new requests for one identity, or one key: one task, created by the first, answered to the second.
    expect(outcomes.get('new identity, first')).toMatchObject({ created: true });
    expect(outcomes.get('new identity, again')).toEqual({ task: taskOf('new identity, first'), created: false });
    expect(outcomes.get('new key, first')).toMatchObject({ created: true, task: { idempotencyKey: 'kim-key' } });
    expect(outcomes.get('new key, replay')).toEqual({ task: taskOf('new key, first'), created: false });
    // The same key with another body: refused as it would be alone, after the first one's task was stored (its id named).
    expect(outcomes.get('new key, other body')).toMatchObject({
      code: 'invalid_input',
      message: 'This Idempotency-Key was already used for a different request',
      details: [{ path: '/idempotency_key', message: expect.stringContaining(`task ${taskOf('new key, first').id}`) }],
    });

    const after = await countRows();
    // 10 plain tasks, ivy and kim: 12 tasks of 2 steps, 1 dependency and 3 audit rows each.
    expect({ ...after, transactions: undefined }).toEqual({
      tasks: before.tasks + 12,
      steps: before.steps + 24,
      dependencies: before.dependencies + 12,
      transitions: before.transitions + 36,
      transactions: undefined,
    });
    // Written together: far fewer transactions than tasks.
    expect(after.transactions - before.transactions).toBeLessThan(4);
  });

  it("keeps each call's task its own: a call whose rows fail the write fails alone, the others are created", async () => {
    await saveTemplates();
    // Validation refuses duplicate step names; written directly, the duplicate fails the steps' insert late in the write.
    await saveTestTemplate(suite.database.db, {
      name: 'broken',
      steps: Array.from({ length: 1500 }, (_, index) => ({ name: index === 1400 ? 's0' : `s${index}`, handler: 'test.noop' })),
    });
    const db = suite.database.db;
    const outcomes = await Promise.all([
      ...Array.from({ length: 6 }, (_, n) => settle(createTask(db, { namespace: 'tests', name: 'plain', context: { n } }))),
      settle(createTask(db, { namespace: 'tests', name: 'broken', context: {} })),
      ...Array.from({ length: 6 }, (_, n) => settle(createTask(db, { namespace: 'tests', name: 'signup', context: { email: `u${n}@example.com` } }))),
    ]);
    expect(outcomes[6]).toMatchObject({ code: 'thrown' });
    const created = outcomes.filter((outcome) => 'created' in outcome && outcome.created);
    expect(created).toHaveLength(12);
    const rows = await countRows();
    expect({ tasks: rows.tasks, steps: rows.steps, transitions: rows.transitions }).toEqual({ tasks: 12, steps: 24, transitions: 36 });
    const names = await queryRows<{ name: string; count: number }>(
      db,
      sql`select name, count(*)::int as count from tasks group by name order by name`,
    );
    expect(names).toEqual([
      { name: 'plain', count: 6 },
      { name: 'signup', count: 6 },
    ]);
  });

  it('answers every waiting call with an error when every write fails, and goes on creating once writes succeed again', async () => {
    await saveTemplates();
    const db = suite.database.db;
    await db.execute(sql`create function refuse_tasks() returns trigger language plpgsql as $$
      begin raise exception 'tasks are refused for this test'; end $$`);
    await db.execute(sql`create trigger refuse_tasks before insert on tasks for each row execute function refuse_tasks()`);
    try {
      const outcomes = await Promise.race([
        Promise.all(Array.from({ length: 8 }, (_, n) => settle(createTask(db, { namespace: 'tests', name: 'plain', context: { n } })))),
        new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000)),
      ]);
      expect(outcomes).not.toBe('hung');
      for (const outcome of outcomes as Outcome[]) {
        expect(outcome).toMatchObject({ code: 'thrown', message: expect.stringMatching(/insert into "?tasks"?|tasks are refused/) });
      }
    } finally {
      await db.execute(sql`drop trigger refuse_tasks on tasks`);
      await db.execute(sql`drop function refuse_tasks()`);
    }
    expect((await countRows()).tasks).toBe(0);
    const outcomes = await Promise.all(Array.from({ length: 4 }, (_, n) => createTask(db, { namespace: 'tests', name: 'plain', context: { n } })));
    expect(outcomes.map((outcome) => outcome.created)).toEqual([true, true, true, true]);
  });
});
