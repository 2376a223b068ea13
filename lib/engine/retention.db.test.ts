import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { cancelTask } from '../actions/cancel-task';
import { createTask } from '../actions/create-task';
import { defaultHandlerRegistry } from '../handlers/index';
import { createLogger } from '../logger';
import { saveSignupTemplate } from '../testing/failure-fixtures';
import { saveTestTemplate, waitFor, waitForTaskStatus } from '../testing/task-testing';
import { Retention } from './retention';
import { startOrchestrator, type Orchestrator } from './runner';

const silent = createLogger({ level: 'silent' });
const running: Orchestrator[] = [];
const directories: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
  for (const directory of directories.splice(0)) {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

function temporaryDirectory(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-retention-'));
  directories.push(directory);
  return directory;
}

describeEachDatabase('retention (RETENTION_DAYS, ARCHIVE)', (suite) => {
  async function signup(email: string): Promise<number> {
    const { task } = await createTask(suite.database.db, { namespace: 'tests', name: 'signup', context: { user_info: { email } } });
    return task.id;
  }

  /** Makes tasks look finished (or last changed) `days` ago. */
  async function age(taskIds: number[], days: number) {
    await suite.database.db.execute(
      sql`update tasks set created_at = now() - make_interval(days => ${days + 1}), updated_at = now() - make_interval(days => ${days}),
        completed_at = case when completed_at is null then null else now() - make_interval(days => ${days}) end
        where id = any(${`{${taskIds.join(',')}}`}::bigint[])`,
    );
  }

  async function rowsOf(taskIds: number[]) {
    const ids = `{${taskIds.join(',')}}`;
    const [row] = await queryRows<Record<string, number>>(
      suite.database.db,
      sql`select (select count(*) from tasks where id = any(${ids}::bigint[]))::int as tasks,
        (select count(*) from steps where task_id = any(${ids}::bigint[]))::int as steps,
        (select count(*) from step_attempts where task_id = any(${ids}::bigint[]))::int as attempts,
        (select count(*) from transitions where task_id = any(${ids}::bigint[]))::int as transitions,
        (select count(*) from failing_steps where task_id = any(${ids}::bigint[]))::int as failing_steps`,
    );
    return row;
  }

  async function finishedTasks(count: number, { days }: { days: number }): Promise<number[]> {
    const ids: number[] = [];
    for (let index = 0; index < count; index++) {
      ids.push(await signup(`done${index}-${days}@example.com`));
    }
    await suite.database.db.execute(
      sql`update tasks set status = 'complete', completed_at = now() where id = any(${`{${ids.join(',')}}`}::bigint[])`,
    );
    await age(ids, days);
    return ids;
  }

  it('removes tasks finished longer ago than the retention with all their rows, keeps young, error and unfinished ones, and archives what it removes', async () => {
    await saveSignupTemplate(suite.database, { billingFailures: 0 });
    await saveTestTemplate(suite.database.db, {
      name: 'always_fails',
      steps: [{ name: 'only', handler: 'test.fail', handlerConfig: { kind: 'permanent', message: 'declined' } }],
    });
    const [oldA, oldB, young, toCancel] = [
      await signup('a@example.com'),
      await signup('b@example.com'),
      await signup('c@example.com'),
      await signup('x@example.com'),
    ];
    const { task: failed } = await createTask(suite.database.db, { namespace: 'tests', name: 'always_fails', context: {} });
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers: defaultHandlerRegistry({ withTestHandlers: true }),
      pollIntervalMs: 50,
      shutdownGraceMs: 100,
      log: silent,
    });
    running.push(orchestrator);
    for (const id of [oldA, oldB, young]) {
      await waitForTaskStatus(suite.database.db, id, ['complete']);
    }
    await waitForTaskStatus(suite.database.db, failed.id, ['error']);
    await orchestrator.stop();
    running.splice(0);
    await cancelTask(suite.database.db, { taskId: toCancel, actor: 'test', reason: 'test' }).catch(() => {});
    await suite.database.db.execute(sql`update tasks set status = 'cancelled', completed_at = coalesce(completed_at, now()) where id = ${toCancel}`);
    const pending = await signup('p@example.com');
    await age([oldA, oldB, toCancel, failed.id, pending], 40);

    const removedIds = [oldA, oldB, toCancel].sort((a, b) => a - b);
    const keptIds = [young, failed.id, pending];
    const before = await rowsOf(removedIds);
    expect(before).toMatchObject({ tasks: 3, steps: 12 });
    expect(before?.attempts).toBeGreaterThanOrEqual(8);
    const keptBefore = await rowsOf(keptIds);
    expect(keptBefore?.failing_steps).toBe(1);

    const archive = path.join(temporaryDirectory(), 'archive');
    // One task per transaction: the batches follow each other until none is left.
    const retention = new Retention({
      db: suite.database.db,
      log: silent,
      retentionDays: 30,
      archiveDirectory: archive,
      batchSize: 1,
      pauseBetweenBatchesMs: 0,
    });
    expect(await retention.runOnce()).toEqual({ removed: 3 });

    expect(await rowsOf(removedIds)).toEqual({ tasks: 0, steps: 0, attempts: 0, transitions: 0, failing_steps: 0 });
    expect(await rowsOf(keptIds)).toEqual(keptBefore);
    const [orphans] = await queryRows<{ dependencies: number; steps: number }>(
      suite.database.db,
      sql`select (select count(*) from step_dependencies d where not exists (select from steps s where s.id = d.step_id))::int as dependencies,
        (select count(*) from step_dependencies)::int as steps`,
    );
    expect(orphans).toEqual({ dependencies: 0, steps: 8 });

    const files = fs.readdirSync(archive);
    expect(files).toEqual([expect.stringMatching(/^tasks-\d{4}-\d{2}-\d{2}\.ndjson$/)]);
    const lines = fs
      .readFileSync(path.join(archive, files[0]!), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown[]> & { task: { id: number; status: string } });
    expect(lines.map((line) => line.task.id)).toEqual(removedIds);
    const archivedA = lines.find((line) => line.task.id === oldA)!;
    expect(archivedA.task.status).toBe('complete');
    expect(archivedA.steps).toHaveLength(4);
    expect(archivedA.step_dependencies).toHaveLength(4);
    expect(archivedA.step_attempts).toHaveLength(4);
    expect(archivedA.transitions!.length).toBeGreaterThanOrEqual(before!.transitions! / 3);
    expect(lines.find((line) => line.task.id === toCancel)?.task.status).toBe('cancelled');

    // Nothing left to remove: a second round removes nothing and writes nothing.
    expect(await retention.runOnce()).toEqual({ removed: 0 });
    expect(fs.readFileSync(path.join(archive, files[0]!), 'utf8').trimEnd().split('\n')).toHaveLength(3);
  });

  it('deletes nothing when the archive cannot be written: a task is removed only once its line is on disk', async () => {
    await saveSignupTemplate(suite.database);
    const old = await finishedTasks(2, { days: 10 });
    const notADirectory = path.join(temporaryDirectory(), 'a-file');
    fs.writeFileSync(notADirectory, 'x');
    const retention = new Retention({ db: suite.database.db, log: silent, retentionDays: 7, archiveDirectory: notADirectory });
    await expect(retention.runOnce()).rejects.toThrow();
    expect(await rowsOf(old)).toMatchObject({ tasks: 2, steps: 8 });

    // A line cut by a crash in an existing file: the next lines start on a line of their own.
    const archive = temporaryDirectory();
    const file = path.join(archive, `tasks-${new Date().toISOString().slice(0, 10)}.ndjson`);
    fs.writeFileSync(file, '{"task": {"id": 1, "stat');
    expect(await new Retention({ db: suite.database.db, log: silent, retentionDays: 7, archiveDirectory: archive }).runOnce()).toEqual({
      removed: 2,
    });
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(1).map((line) => (JSON.parse(line) as { task: { id: number } }).task.id)).toEqual(old);
  });

  it('runs in the orchestrator on its own timer, stops cleanly, and never takes a task in error, compensating or running', async () => {
    await saveSignupTemplate(suite.database);
    const old = await finishedTasks(3, { days: 3 });
    const young = await finishedTasks(1, { days: 1 });
    const others: number[] = [];
    for (const status of ['error', 'compensating', 'in_progress', 'pending']) {
      const id = await signup(`${status}@example.com`);
      await suite.database.db.execute(sql`update tasks set status = ${status} where id = ${id}`);
      others.push(id);
    }
    await age(others, 30);
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers: defaultHandlerRegistry({ withTestHandlers: true }),
      pollIntervalMs: 50,
      shutdownGraceMs: 100,
      log: silent,
      retention: { retentionDays: 2, intervalMs: 50 },
    });
    running.push(orchestrator);
    await waitFor(async () => (await rowsOf(old))?.tasks === 0, { what: 'the old tasks to be removed' });
    await orchestrator.stop();
    running.splice(0);
    expect((await rowsOf([...young, ...others]))?.tasks).toBe(5);
  });

  // PGlite has one connection and one process: nothing to take turns with.
  it.skipIf(suite.kind !== 'postgres')('is done by one process at a time: while another holds the retention lock, nothing is removed', async () => {
    await saveSignupTemplate(suite.database);
    const old = await finishedTasks(2, { days: 10 });
    const retention = new Retention({ db: suite.database.db, log: silent, retentionDays: 7 });
    await suite.database.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${0x5359_5245})`);
      expect(await retention.runOnce()).toEqual({ removed: 0 });
    });
    expect(await retention.runOnce()).toEqual({ removed: 2 });
    expect((await rowsOf(old))?.tasks).toBe(0);
  });
});
