import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { defaultHandlerRegistry } from '../handlers/index';
import { readAttempts, saveTestTemplate, waitForTaskStatus } from '../testing/task-testing';
import { startOrchestrator, type Orchestrator } from './runner';

const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const running: Orchestrator[] = [];
afterEach(async () => {
  const left = running.splice(0);
  await Promise.all(left.map((orchestrator) => orchestrator.stop()));
});

const fastBackoff = (baseSeconds: number) => ({ baseSeconds, maxSeconds: 30, jitter: false });

describeEachDatabase('orchestrator', (suite) => {
  async function start(options: { concurrency?: number; pollIntervalMs?: number } = {}) {
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      concurrency: options.concurrency ?? 10,
      pollIntervalMs: options.pollIntervalMs ?? 50,
      leaseSeconds: 10,
      shutdownGraceMs: 100,
    });
    running.push(orchestrator);
    return orchestrator;
  }

  it('runs a diamond: B and C at the same time, D after both, then E; the task completes', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'diamond',
      steps: [
        { name: 'a', handler: 'test.noop' },
        { name: 'b', handler: 'test.sleep', handlerConfig: { ms: 400 }, dependsOn: ['a'] },
        { name: 'c', handler: 'test.sleep', handlerConfig: { ms: 400 }, dependsOn: ['a'] },
        { name: 'd', handler: 'test.echo', dependsOn: ['b', 'c'] },
        { name: 'e', handler: 'test.noop', dependsOn: ['d'] },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'diamond', context: { who: 'diamond' } });
    await start();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');

    const attempts = await readAttempts(db, task.id);
    const byStep = new Map(attempts.map((attempt) => [attempt.step, attempt]));
    expect(attempts).toHaveLength(5);
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((name) => byStep.get(name)!);
    // B and C overlap in time; D starts only after both have finished; E after D.
    expect(b!.startedAt).toBeLessThan(c!.finishedAt!);
    expect(c!.startedAt).toBeLessThan(b!.finishedAt!);
    expect(b!.startedAt).toBeGreaterThanOrEqual(a!.finishedAt!);
    expect(d!.startedAt).toBeGreaterThanOrEqual(Math.max(b!.finishedAt!, c!.finishedAt!));
    expect(e!.startedAt).toBeGreaterThanOrEqual(d!.finishedAt!);

    const [dStep] = await queryRows<{ results: { results: Record<string, unknown>; context: unknown } }>(
      db,
      sql`select results from steps where task_id = ${task.id} and name = 'd'`,
    );
    expect(dStep!.results.results).toEqual({ a: { ok: true }, b: { slept_ms: 400 }, c: { slept_ms: 400 } });
    expect(dStep!.results.context).toEqual({ who: 'diamond' });

    const transitions = await queryRows<{ step: string | null; from_status: string | null; to_status: string }>(
      db,
      sql`select s.name as step, t.from_status, t.to_status from transitions t left join steps s on s.id = t.step_id
          where t.task_id = ${task.id} order by t.id`,
    );
    const taskTrail = transitions.filter((row) => row.step === null).map((row) => row.to_status);
    expect(taskTrail).toEqual(['pending', 'in_progress', 'complete']);
    const dTrail = transitions.filter((row) => row.step === 'd').map((row) => row.to_status);
    expect(dTrail).toEqual(['pending', 'ready', 'in_progress', 'complete']);
  });

  it('retries retryable failures with growing waits, then succeeds', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'flaky',
      steps: [{ name: 'call', handler: 'test.fail', handlerConfig: { kind: 'retryable', times: 2 }, retryLimit: 3, backoff: fastBackoff(0.3) }],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'flaky', context: {} });
    await start();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    const attempts = await readAttempts(db, task.id);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['retryable_error', 'retryable_error', 'complete']);
    const firstWait = attempts[1]!.startedAt - attempts[0]!.finishedAt!;
    const secondWait = attempts[2]!.startedAt - attempts[1]!.finishedAt!;
    // base 0.3 s, no jitter: 0.3 s then 0.6 s
    expect(firstWait).toBeGreaterThanOrEqual(290);
    expect(secondWait).toBeGreaterThanOrEqual(590);
    expect(secondWait).toBeGreaterThan(firstWait);
  });

  it('honours Retry-After over the backoff', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'rate_limited',
      steps: [
        {
          name: 'call',
          handler: 'test.fail',
          handlerConfig: { kind: 'retryable', times: 1, retry_after_seconds: 1.5 },
          backoff: fastBackoff(0.05),
        },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'rate_limited', context: {} });
    await start();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    const attempts = await readAttempts(db, task.id);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.startedAt - attempts[0]!.finishedAt!).toBeGreaterThanOrEqual(1490);
  });

  it('waits out a rate limit (429 with Retry-After) without spending attempts, however many it takes', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'throttled',
      steps: [
        {
          name: 'call',
          handler: 'test.fail',
          handlerConfig: { kind: 'retryable', times: 5, retry_after_seconds: 0.05, http_status: 429 },
          retryLimit: 2,
          backoff: fastBackoff(0.05),
        },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'throttled', context: {} });
    await start();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    const [step] = await queryRows<{ attempts: number; counted: number; rate_limited_since: Date | null }>(
      db,
      sql`select attempts, attempts - round_start_attempts as counted, rate_limited_since from steps where task_id = ${task.id}`,
    );
    expect(step).toEqual({ attempts: 6, counted: 1, rate_limited_since: null });
    const [audit] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from transitions where task_id = ${task.id} and (details->>'rate_limited')::boolean and (details->>'attempt_not_counted')::boolean`,
    );
    expect(audit!.n).toBe(5);
  });

  it('counts rate-limited attempts once the step has waited max_rate_limited_seconds, and then fails as usual', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'throttled_for_ever',
      steps: [
        {
          name: 'call',
          handler: 'test.fail',
          handlerConfig: { kind: 'retryable', retry_after_seconds: 0.05, http_status: 429 },
          retryLimit: 2,
          backoff: { ...fastBackoff(0.05), maxRateLimitedSeconds: 0.4 },
        },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'throttled_for_ever', context: {} });
    await start();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('error');
    const [step] = await queryRows<{ attempts: number; counted: number }>(
      db,
      sql`select attempts, attempts - round_start_attempts as counted from steps where task_id = ${task.id}`,
    );
    expect(step!.counted).toBe(2);
    expect(step!.attempts).toBeGreaterThan(2);
  });

  it('starts a retry at its time, not at the next poll', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'retry_on_time',
      steps: [{ name: 'call', handler: 'test.fail', handlerConfig: { kind: 'retryable', times: 1 }, backoff: fastBackoff(0.3) }],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'retry_on_time', context: {} });
    await start({ pollIntervalMs: 5000 });
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    const attempts = await readAttempts(db, task.id);
    const lateMs = attempts[1]!.startedAt - attempts[0]!.finishedAt! - 300;
    expect(lateMs).toBeGreaterThanOrEqual(0);
    // Within a few milliseconds when the machine is quiet (a poll would be up to 5 s late); the margin is for a busy CI.
    expect(lateMs).toBeLessThan(500);
  });

  it('puts a step in error when its attempts are used up, while an independent branch completes', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'exhausted',
      steps: [
        { name: 'broken', handler: 'test.fail', handlerConfig: { kind: 'unknown' }, retryLimit: 2, backoff: fastBackoff(0.05) },
        { name: 'after_broken', handler: 'test.noop', dependsOn: ['broken'] },
        { name: 'independent', handler: 'test.sleep', handlerConfig: { ms: 300 } },
        { name: 'after_independent', handler: 'test.noop', dependsOn: ['independent'] },
      ],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'exhausted', context: {} });
    await start();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('error');
    const steps = await queryRows<{ name: string; status: string; attempts: number; last_error: { class: string } | null }>(
      db,
      sql`select name, status, attempts, last_error from steps where task_id = ${task.id} order by position`,
    );
    expect(steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['broken', 'error', 2],
      ['after_broken', 'pending', 0],
      ['independent', 'complete', 1],
      ['after_independent', 'complete', 1],
    ]);
    expect(steps[0]!.last_error!.class).toBe('TypeError');
  });

  it('tries a permanent error exactly once', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'permanent',
      steps: [{ name: 'reject', handler: 'test.fail', handlerConfig: { kind: 'permanent' }, retryLimit: 5, backoff: fastBackoff(0.05) }],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'permanent', context: {} });
    await start();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('error');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const attempts = await readAttempts(db, task.id);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['permanent_error']);
  });

  it('aborts a hanging handler at its timeout and counts it as a retryable failure', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'hangs',
      steps: [{ name: 'hang', handler: 'test.hang', timeoutSeconds: 1, retryLimit: 2, backoff: fastBackoff(0.05) }],
    });
    const { task } = await createTask(db, { namespace: 'tests', name: 'hangs', context: {} });
    const startedAt = Date.now();
    await start();
    expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('error');
    const attempts = await readAttempts(db, task.id);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 'timeout']);
    for (const attempt of attempts) {
      expect(attempt.finishedAt! - attempt.startedAt).toBeGreaterThanOrEqual(950);
    }
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2000);
  });

  it('runs each ready step once with many steps and little concurrency', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, {
      name: 'fan',
      steps: [
        { name: 'root', handler: 'test.noop' },
        ...Array.from({ length: 20 }, (_, i) => ({ name: `leaf_${i}`, handler: 'test.noop', dependsOn: ['root'] })),
      ],
    });
    const tasks = await Promise.all(Array.from({ length: 5 }, () => createTask(db, { namespace: 'tests', name: 'fan', context: {} })));
    await start({ concurrency: 3 });
    for (const { task } of tasks) {
      expect(await waitForTaskStatus(db, task.id, ['complete', 'error'])).toBe('complete');
    }
    const [counts] = await queryRows<{ attempts: number; steps: number }>(
      db,
      sql`select (select count(*) from step_attempts)::int as attempts, (select count(*) from steps)::int as steps`,
    );
    expect(counts).toEqual({ attempts: 105, steps: 105 });
  });
});
