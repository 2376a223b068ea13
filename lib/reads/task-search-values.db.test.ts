import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { deleteTasks } from '../../db/queries/retention';
import { describeEachDatabase } from '../../db/testing';
import { bulkTaskAction } from '../actions/bulk-task-action';
import { createTask } from '../actions/create-task';
import { createTasks } from '../actions/create-tasks';
import { editTaskContext } from '../actions/edit-task-context';
import { saveTestTemplate } from '../testing/task-testing';
import { listTasks } from './list-tasks';

/**
 * GET /tasks?q=<an identity value> is an index lookup in task_search_values (db/migrations/0023), any
 * other q a search of task_search_text (0024): these tests fail when a way of writing or removing a task
 * leaves either table behind.
 */
describeEachDatabase('task search values', (suite) => {
  async function saveTemplates() {
    const { db } = suite.database;
    await saveTestTemplate(db, { name: 'signup', identityFields: ['user.email'], steps: [{ name: 'user', handler: 'test.noop' }] });
    await saveTestTemplate(db, { name: 'note', steps: [{ name: 'write', handler: 'test.noop' }] });
  }

  async function valuesOf(taskId: number): Promise<string[]> {
    const rows = await queryRows<{ value: string }>(
      suite.database.db,
      sql`select value from task_search_values where task_id = ${taskId} order by value`,
    );
    return rows.map((row) => row.value);
  }

  /** task_search_text: the context's text, lowercased (undefined: no row). */
  async function textOf(taskId: number): Promise<string | undefined> {
    const [row] = await queryRows<{ text: string }>(suite.database.db, sql`select text from task_search_text where task_id = ${taskId}`);
    return row?.text;
  }

  async function search(q: string): Promise<number[]> {
    return (await listTasks(suite.database.db, { limit: 50, q })).items.map((item) => Number(item.id));
  }

  async function signup(email: string): Promise<number> {
    const { task } = await createTask(suite.database.db, { namespace: 'tests', name: 'signup', context: { user: { email, name: 'Ann' } } });
    return task.id;
  }

  it('createTask and createTasks write the identity values, lowercased, in the task’s transaction; no identity, no rows', async () => {
    await saveTemplates();
    const { db } = suite.database;
    const ann = await signup('Ann.Smith@Example.com');
    expect(await valuesOf(ann)).toEqual(['ann.smith@example.com']);
    expect(await textOf(ann)).toBe('{"user": {"name": "ann", "email": "ann.smith@example.com"}}');
    const { task: note } = await createTask(db, { namespace: 'tests', name: 'note', context: { text: 'call ann.smith@example.com' } });
    expect(await valuesOf(note.id)).toEqual([]);

    const batch = await createTasks(db, [
      { namespace: 'tests', name: 'signup', context: { user: { email: 'b1@example.com' } } },
      { namespace: 'tests', name: 'signup', context: { user: { email: 'B2@example.com' } } },
      { namespace: 'tests', name: 'note', context: { text: 'b1@example.com' } },
    ]);
    const ids = batch.map((item) => item.task.id);
    expect(await Promise.all(ids.map(valuesOf))).toEqual([['b1@example.com'], ['b2@example.com'], []]);
    expect(await textOf(ids[2]!)).toBe('{"text": "b1@example.com"}');
    // A repeated identity is the same task: no second row, nothing for a task not written.
    const again = await createTasks(db, [{ namespace: 'tests', name: 'signup', context: { user: { email: 'B2@example.com' } } }]);
    expect(again[0]?.task.id).toBe(ids[1]);
    const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from task_search_values`);
    expect(count?.n).toBe(3);

    // Found by the lookup, in any case.
    expect(await search('B2@Example.COM')).toEqual([ids[1]]);
    expect(await search('ann.smith@example.com')).toEqual([ann]);
  });

  it('a context edit replaces the values in its transaction; a refused edit leaves them', async () => {
    await saveTemplates();
    const { db } = suite.database;
    const ann = await signup('typo@exmaple.com');
    const bob = await signup('bob@example.com');
    await db.execute(sql`update tasks set status = 'error' where id in (${ann}, ${bob})`);
    await editTaskContext(db, { taskId: ann, context: { user: { email: 'Ann@Example.com' } }, reason: 'typo', actor: 'ops' });
    expect(await valuesOf(ann)).toEqual(['ann@example.com']);
    expect(await textOf(ann)).toBe('{"user": {"email": "ann@example.com"}}');
    expect(await search('ann@example.com')).toEqual([ann]);
    expect(await search('ANN@')).toEqual([ann]);
    expect(await search('typo@exmaple.com')).toEqual([]);
    // Another task's identity: refused (conflict), nothing written.
    await expect(editTaskContext(db, { taskId: bob, context: { user: { email: 'Ann@Example.com' } }, reason: 'x', actor: 'ops' })).rejects.toThrow();
    expect(await valuesOf(bob)).toEqual(['bob@example.com']);
    // A change elsewhere in the context keeps the value.
    await editTaskContext(db, { taskId: bob, context: { user: { email: 'bob@example.com', name: 'Bob' } }, reason: 'name', actor: 'ops' });
    expect(await valuesOf(bob)).toEqual(['bob@example.com']);
    expect(await search('"name": "bob"')).toEqual([bob]);
  });

  it('retention’s delete removes the values with the task', async () => {
    await saveTemplates();
    const { db } = suite.database;
    const gone = await signup('gone@example.com');
    const kept = await signup('kept@example.com');
    await db.transaction(async (tx) => {
      expect(await deleteTasks(tx, [gone])).toBe(1);
    });
    expect(await valuesOf(gone)).toEqual([]);
    expect(await textOf(gone)).toBeUndefined();
    expect(await textOf(kept)).toBeDefined();
    expect(await valuesOf(kept)).toEqual(['kept@example.com']);
    expect(await search('gone@example.com')).toEqual([]);
  });

  it('q that is a whole identity value picks the tasks with that value; any other q is a substring of the context text', async () => {
    await saveTemplates();
    const { db } = suite.database;
    const bob = await signup('bob@x.com');
    const jimbob = await signup('jimbob@x.com');
    const { task: note } = await createTask(db, { namespace: 'tests', name: 'note', context: { text: 'ask BOB@x.com' } });
    // The documented difference (shared/API.md, `q`): a whole identity value is looked up, so tasks that
    // hold it only inside a longer text are not listed.
    expect(await search('BOB@X.COM')).toEqual([bob]);
    // Not an identity value of any task: the substring search, as before.
    expect(await search('ob@x.com')).toEqual([note.id, jimbob, bob]);
    expect(await search('x.com')).toEqual([note.id, jimbob, bob]);
    expect(await search('jimbob@x.com')).toEqual([jimbob]);
    // Once no task has the value any more, the substring search finds every holder again.
    await db.transaction(async (tx) => {
      await deleteTasks(tx, [bob]);
    });
    expect(await search('bob@x.com')).toEqual([note.id, jimbob]);
    // With the other filters, and in a bulk action's filter: the same rule.
    expect((await listTasks(db, { limit: 50, q: 'jimbob@x.com', name: 'note' })).items).toEqual([]);
    const dryRun = await bulkTaskAction(db, { action: 'cancel', filter: { q: 'jimbob@x.com' }, reason: 'test', dryRun: true, actor: 'ops' });
    expect(dryRun.tasks).toBe(1);
  });
});
