import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import type { Orchestrator } from '../engine/runner';
import { collectMetrics } from '../metrics/collect-metrics';
import { createFailedSignups, saveSignupTemplate } from '../testing/failure-fixtures';
import { listTasks } from './list-tasks';
import { readOverview } from './read-overview';

const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

const HOUR_MS = 3_600_000;
/** More failures than the dashboard once read (the newest 2,000 tasks per question). */
const COPIES = 2100;

describeEachDatabase('readOverview', (suite) => {
  /** `count` copies of a failed task, written set-based: in error, failed two hours ago, created now. */
  async function copyFailedTask(sourceId: number, count: number): Promise<void> {
    const { db } = suite.database;
    await db.execute(sql`
      with copies as (
        insert into tasks (template_version_id, namespace, name, version, status, context, correlation_id, unfinished_steps, live_steps, updated_at)
        select t.template_version_id, t.namespace, t.name, t.version, t.status, jsonb_build_object('copy', g), t.correlation_id || '-' || g,
          t.unfinished_steps, t.live_steps, now() - interval '2 hours'
        from tasks t cross join generate_series(1, ${count}) g where t.id = ${sourceId}
        returning id
      )
      insert into steps (task_id, name, position, handler, handler_config, service, status, retryable, skippable, retry_limit, timeout_seconds,
        backoff, pending_dependencies, attempts, last_error, updated_at)
      select c.id, s.name, s.position, s.handler, s.handler_config, s.service, s.status, s.retryable, s.skippable, s.retry_limit, s.timeout_seconds,
        s.backoff, s.pending_dependencies, s.attempts,
        case when s.last_error is not null then jsonb_set(s.last_error, '{at}', to_jsonb(now() - interval '2 hours')) end, now() - interval '2 hours'
      from copies c cross join steps s where s.task_id = ${sourceId}`);
    // Rows written past the update triggers: index them as the seeds do.
    await db.execute(sql`select switchyard_rebuild_failing_steps()`);
  }

  it('counts every task and finds the oldest stuck one, however many newer failures there are', async () => {
    const { database } = suite;
    const { db } = database;
    await saveSignupTemplate(database);
    // The oldest: in progress, its first step waiting to retry until tomorrow, waiting for ten minutes.
    const { task: slow } = await createTask(db, { namespace: 'tests', name: 'signup', context: { user_info: { email: 'slow@example.com' } } });
    await db.execute(sql`update steps set status = 'waiting_retry', run_at = now() + interval '1 day', attempts = 1, waiting_since = now() - interval '10 minutes',
      last_error = jsonb_build_object('class', 'RetryableError', 'message', 'billing is down', 'at', now() - interval '10 minutes')
      where task_id = ${slow.id} and name = 'user'`);
    await db.execute(
      sql`update tasks set status = 'in_progress', created_at = now() - interval '4 days', updated_at = now() - interval '10 minutes' where id = ${slow.id}`,
    );
    // Next: a failure three days old.
    const [old] = await createFailedSignups(database, ['old@example.com'], running);
    await db.execute(
      sql`update steps set last_error = jsonb_set(last_error, '{at}', to_jsonb(now() - interval '3 days')) where task_id = ${old!} and name = 'billing'`,
    );
    await db.execute(sql`update tasks set created_at = now() - interval '3 days', updated_at = now() - interval '3 days' where id = ${old!}`);
    // Two failures just now, then 2,100 newer ones that failed two hours ago.
    const recent = await createFailedSignups(database, ['a@example.com', 'b@example.com'], running);
    await copyFailedTask(recent[0]!, COPIES);

    const now = new Date();
    const since = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
    // One copy in the first hour shown, one a minute before it (not shown).
    const [first, outside] = await queryRows<{ id: number }>(db, sql`select id from tasks order by id desc limit 2`);
    await db.execute(sql`update tasks set created_at = ${new Date(since + 30 * 60_000).toISOString()}::timestamptz where id = ${first!.id}`);
    await db.execute(sql`update tasks set created_at = ${new Date(since - 60_000).toISOString()}::timestamptz where id = ${outside!.id}`);

    const overview = await readOverview(db, { now, maxAgeMs: 0 });
    const errors = 1 + 2 + COPIES;
    expect(overview.tasks).toEqual({
      total: errors + 1,
      by_status: { pending: 0, in_progress: 1, complete: 0, error: errors, cancelled: 0, resolved_manually: 0, compensating: 0, compensated: 0 },
      by_template: [{ namespace: 'tests', name: 'signup', total: errors + 1, by_status: { error: errors, in_progress: 1 } }],
    });
    expect(overview.failed).toEqual({ tasks: errors, last_hour: 2, last_hour_since: new Date(now.getTime() - HOUR_MS).toISOString() });
    expect(overview.waiting_retry).toEqual({ tasks: 1, steps: 1 });
    expect(overview.running).toEqual({ tasks: 1 });
    expect(overview.stuck_after_minutes).toBe(5);
    expect(overview.stuck_after_seconds).toBe(300);
    expect(overview.stuck).toEqual({ tasks: 1, steps: 1 });
    expect(overview.oldest_stuck).toMatchObject({
      id: String(slow.id),
      status: 'in_progress',
      name: 'signup',
      step: { name: 'user', status: 'waiting_retry' },
    });
    expect(now.getTime() - Date.parse(overview.oldest_stuck!.stuck_since)).toBeGreaterThan(9 * 60_000);

    // The histogram: 24 hours; the slow, old and outside tasks are older than its first hour.
    const hours = overview.created_per_hour.hours;
    expect(hours).toHaveLength(24);
    expect(overview.created_per_hour.since).toBe(new Date(since).toISOString());
    expect(overview.created_per_hour.until).toBe(new Date(since + 24 * HOUR_MS).toISOString());
    expect(hours[0]).toEqual({
      start: new Date(since).toISOString(),
      total: 1,
      by_status: { error: 1 },
      by_template: [{ namespace: 'tests', name: 'signup', total: 1, by_status: { error: 1 } }],
    });
    expect(overview.created_per_hour.total).toBe(2 + COPIES - 1);
    expect(hours.reduce((sum, hour) => sum + hour.total, 0)).toBe(2 + COPIES - 1);
    expect(hours.reduce((sum, hour) => sum + (hour.by_template[0]?.by_status.error ?? 0), 0)).toBe(2 + COPIES - 1);

    // "Failed in the last hour" links to GET /tasks?failed_after=…: the same two tasks.
    const failedLately = await listTasks(db, { limit: 50, failed_after: overview.failed.last_hour_since });
    expect(failedLately.items.map((item) => Number(item.id)).sort((a, b) => a - b)).toEqual(recent);
    const failedSince = async (hoursAgo: number) =>
      (await listTasks(db, { limit: 50, q: 'old@example.com', failed_after: new Date(now.getTime() - hoursAgo * HOUR_MS).toISOString() })).items.map(
        (item) => Number(item.id),
      );
    expect(await failedSince(71)).toEqual([]);
    expect(await failedSince(73)).toEqual([old]);

    // Once the slow task's step has waited for less than STUCK_AFTER_SECONDS (an operator retried it), the
    // oldest stuck task is the old failure, with its failed step.
    await db.execute(sql`update steps set waiting_since = now() where task_id = ${slow.id} and name = 'user'`);
    const later = await readOverview(db, { maxAgeMs: 0 });
    expect(later.oldest_stuck).toMatchObject({
      id: String(old),
      status: 'error',
      namespace: 'tests',
      name: 'signup',
      version: '1.0.0',
      step: { name: 'billing', status: 'error' },
    });
    expect(Date.now() - Date.parse(later.oldest_stuck!.created_at)).toBeGreaterThan(71 * HOUR_MS);
  });

  it('says zero, and no stuck task, when there are no tasks', async () => {
    const overview = await readOverview(suite.database.db, { maxAgeMs: 0 });
    expect(overview.tasks).toEqual({
      total: 0,
      by_status: { pending: 0, in_progress: 0, complete: 0, error: 0, cancelled: 0, resolved_manually: 0, compensating: 0, compensated: 0 },
      by_template: [],
    });
    expect(overview.created_per_hour.total).toBe(0);
    expect(overview.created_per_hour.hours.every((hour) => hour.total === 0 && hour.by_template.length === 0)).toBe(true);
    expect(
      overview.failed.tasks + overview.failed.last_hour + overview.waiting_retry.tasks + overview.waiting_retry.steps + overview.running.tasks,
    ).toBe(0);
    expect(overview.oldest_stuck).toBeNull();
  });

  it('shares its reads for up to 4 s, the counts by status and template with GET /metrics', async () => {
    const { database } = suite;
    const { db } = database;
    await saveSignupTemplate(database);
    const fresh = await readOverview(db, { maxAgeMs: 0 });
    await createTask(db, { namespace: 'tests', name: 'signup', context: { user_info: { email: 'new@example.com' } } });
    const shared = await readOverview(db);
    expect(shared).toEqual(fresh);
    // A scrape of GET /metrics reads the counts afresh; the overview then shows them.
    await collectMetrics(db, { maxAgeMs: 0 });
    const counted = await readOverview(db);
    expect(counted.tasks.by_status.pending).toBe(1);
    expect(counted.created_per_hour.total).toBe(0);
    const reread = await readOverview(db, { maxAgeMs: 0 });
    expect(reread.tasks.by_status.pending).toBe(1);
    expect(reread.created_per_hour.total).toBe(1);
    expect(Date.parse(reread.generated_at)).toBeGreaterThanOrEqual(Date.parse(fresh.generated_at));
  });
});
