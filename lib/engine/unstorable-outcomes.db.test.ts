import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { markStepsFailed, type StepFailure } from '../../db/queries/steps';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { registerTemplates } from '../actions/register-templates';
import { startDemoServices, type DemoServices } from '../demo/demo-services';
import { defaultHandlerRegistry } from '../handlers/index';
import { createServiceCallerFactory } from '../runtime/host';
import { KNOWN_SERVICE_NAMES, resolveServiceUrls } from '../services/service-registry';
import { registrationContext, saveTestTemplate, waitFor } from '../testing/task-testing';
import { startOrchestrator, type Orchestrator } from './runner';
import { OUTCOME_NOT_STORED, writeOutcomes } from './write-outcomes';

/**
 * Answers PostgreSQL cannot store as they are, from a service that is otherwise healthy: each kind
 * of body once per Idempotency-Key (so the step's next attempt succeeds), then a plain success.
 */
const POISON_BODIES: Record<string, { status: number; contentType: string; body: string }> = {
  'ok-nul': { status: 200, contentType: 'application/json', body: '{"note":"a\\u0000b","id":"x"}' },
  'ok-surrogate': { status: 201, contentType: 'application/json', body: '{"note":"half \\ud800 pair","\\udc00key":1}' },
  'fail-nul': { status: 500, contentType: 'text/plain', body: 'internal\u0000error' },
  // An error page whose emoji straddles the 500th character, where the message used to be cut.
  'fail-emoji': { status: 502, contentType: 'text/html', body: `${'x'.repeat(499)}😀 and more after it` },
};

let demo: DemoServices;
let oddities: http.Server;
let odditiesUrl: string;
const seenKeys = new Set<string>();
const running: Orchestrator[] = [];
const handlers = defaultHandlerRegistry({ withTestHandlers: true });

beforeAll(async () => {
  demo = await startDemoServices({ port: 0 });
  oddities = http.createServer((request, response) => {
    const kind = (request.url ?? '').split('/').pop() ?? '';
    const key = `${kind}:${String(request.headers['idempotency-key'])}`;
    const poison = POISON_BODIES[kind];
    if (poison && !seenKeys.has(key)) {
      seenKeys.add(key);
      response.writeHead(poison.status, { 'Content-Type': poison.contentType });
      response.end(poison.body);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => oddities.listen(0, '127.0.0.1', resolve));
  odditiesUrl = `http://127.0.0.1:${(oddities.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await demo.close();
  await new Promise((resolve) => oddities.close(resolve));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
  demo.state.reset();
  seenKeys.clear();
});

describeEachDatabase('outcomes PostgreSQL cannot store as they are', (suite) => {
  it('never stop the orchestrator: 50 registrations complete while a service answers every poisonous body', async () => {
    const { db } = suite.database;
    await registerTemplates(db, { directories: [path.resolve('templates')], handlers, services: [...KNOWN_SERVICE_NAMES] });
    await saveTestTemplate(db, {
      name: 'oddities',
      steps: [
        {
          name: 'call_oddities',
          handler: 'http',
          service: 'oddities',
          handlerConfig: { service: 'oddities', method: 'POST', path: '/answers/{{ context.kind }}', body: { kind: '{{ context.kind }}' } },
          retryLimit: 3,
          backoff: { baseSeconds: 0.05, maxSeconds: 0.05, jitter: false },
        },
      ],
    });
    const urls = { ...resolveServiceUrls({ env: {}, demoServicesUrl: demo.url }), oddities: odditiesUrl };
    const poisoned = [];
    for (const kind of Object.keys(POISON_BODIES)) {
      for (let copy = 0; copy < 3; copy += 1) {
        poisoned.push((await createTask(db, { namespace: 'tests', name: 'oddities', context: { kind, copy } })).task.id);
      }
    }
    const registrations = [];
    for (let index = 0; index < 50; index += 1) {
      registrations.push(
        (await createTask(db, { namespace: 'blog_examples', name: 'user_registration', context: registrationContext(`user${index}@example.com`) }))
          .task.id,
      );
    }
    running.push(
      await startOrchestrator({
        database: suite.database,
        handlers,
        createServiceCaller: createServiceCallerFactory(urls),
        concurrency: 10,
        pollIntervalMs: 50,
        shutdownGraceMs: 100,
        circuitBreaker: { failureThreshold: 50, cooldownSeconds: 1, releaseSpreadMs: 20, checkIntervalMs: 200 },
      }),
    );
    const everyTask = [...poisoned, ...registrations];
    const statuses = await waitFor(
      async () => {
        const rows = await queryRows<{ status: string; n: number }>(
          db,
          sql`select status, count(*)::int as n from tasks where id in ${sql.raw(`(${everyTask.join(',')})`)} group by status`,
        );
        const done = rows.filter((row) => ['complete', 'error'].includes(row.status)).reduce((sum, row) => sum + row.n, 0);
        return done === everyTask.length ? Object.fromEntries(rows.map((row) => [row.status, row.n])) : undefined;
      },
      { timeoutMs: 60_000, what: 'every task to finish' },
    );
    expect(statuses).toEqual({ complete: everyTask.length });
    expect(demo.state.summarize().services.billing.records).toBe(50);

    // What was stored says visibly where a character could not be kept.
    const results = await queryRows<{ kind: string; results: unknown; errors: string[] }>(
      db,
      sql`select t.context->>'kind' as kind, s.results,
            array(select a.error_message from step_attempts a where a.step_id = s.id and a.error_message is not null order by a.number) as errors
          from steps s join tasks t on t.id = s.task_id where t.id in ${sql.raw(`(${poisoned.join(',')})`)} and t.context->>'copy' = '0'`,
    );
    const byKind = Object.fromEntries(results.map((row) => [row.kind, row]));
    expect(byKind['ok-nul']!.results).toEqual({ note: 'a\uFFFDb', id: 'x' });
    expect(byKind['ok-surrogate']!.results).toEqual({ note: 'half \uFFFD pair', '\uFFFDkey': 1 });
    expect(byKind['fail-nul']!.errors).toEqual(['POST oddities /answers/fail-nul answered 500: internal\uFFFDerror']);
    const emojiError = byKind['fail-emoji']!.errors[0]!;
    expect(emojiError.isWellFormed()).toBe(true);
    expect(emojiError).toMatch(/answered 502: x{499}… \[cut: \d+ more characters\]$/);

    // Each kind that fails cost each of its 3 tasks one attempt, and nothing ran twice.
    const [circuit] = await queryRows<{ failures: number }>(
      db,
      sql`select count(*)::int as failures from step_attempts a join steps s on s.id = a.step_id where s.service = 'oddities' and a.outcome = 'retryable_error'`,
    );
    expect(circuit!.failures).toBe(6);
  }, 90_000);

  it('fail alone when the database refuses them: the rest of the batch is written, the bad one fails for good saying why', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, { name: 'five', steps: ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, handler: 'test.noop' })) });
    const { task } = await createTask(db, { namespace: 'tests', name: 'five', context: {} });
    // Claim the five steps as a worker would, without running them.
    await db.execute(
      sql`update steps set status = 'in_progress', attempts = 1, worker_id = 'w', lease_expires_at = now() + interval '1 minute' where task_id = ${task.id}`,
    );
    await db.execute(
      sql`insert into step_attempts (step_id, number, task_id, worker_id, started_at) select id, 1, task_id, 'w', now() from steps where task_id = ${task.id}`,
    );
    const ids = await queryRows<{ id: number; name: string }>(
      db,
      sql`select id::int as id, name from steps where task_id = ${task.id} order by name`,
    );
    const stepId = (name: string) => ids.find((row) => row.name === name)!.id;
    const success = (name: string, results: unknown) => ({ stepId: stepId(name), attempt: 1, results, durationMs: 1, httpStatus: 200 });
    const failure = (name: string, errorMessage: string): StepFailure => ({
      stepId: stepId(name),
      attempt: 1,
      nextStatus: 'waiting_retry',
      runAfterSeconds: 0,
      outcome: 'retryable_error',
      errorClass: 'RetryableError',
      errorMessage,
      errorCode: null,
      httpStatus: 500,
      durationMs: 1,
    });
    // Written raw, as a handler that bypassed the checks would: today's single statement fails whole.
    await expect(markStepsFailed(db, [failure('d', 'fine'), failure('e', 'half \ud800')])).rejects.toThrow();

    const written = await writeOutcomes(db, {
      successes: [success('a', { ok: true }), success('b', { bad: 'nul \u0000' }), success('c', { ok: 2 })],
      failures: [failure('d', 'fine'), failure('e', 'half \ud800')],
    });
    expect(written.unwritten).toEqual({ successes: [], failures: [] });
    expect(written.written.successes.map((outcome) => outcome.stepId).sort()).toEqual([stepId('a'), stepId('c')].sort());
    expect(written.notStored.map((outcome) => outcome.stepId).sort()).toEqual([stepId('b'), stepId('e')].sort());
    const rows = await queryRows<{ name: string; status: string; code: string | null; message: string | null }>(
      db,
      sql`select name, status, last_error->>'code' as code, last_error->>'message' as message from steps where task_id = ${task.id} order by name`,
    );
    expect(rows.map((row) => [row.name, row.status, row.code])).toEqual([
      ['a', 'complete', null],
      ['b', 'error', OUTCOME_NOT_STORED],
      ['c', 'complete', null],
      ['d', 'waiting_retry', null],
      ['e', 'error', OUTCOME_NOT_STORED],
    ]);
    expect(rows[1]!.message).toMatch(
      /^The results of this attempt could not be stored \(PostgreSQL: .+\); the step is failed for good by the platform/,
    );
    const [audit] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from transitions where step_id = ${stepId('b')} and to_status = 'error'`,
    );
    expect(audit!.n).toBe(1);
  });
});
