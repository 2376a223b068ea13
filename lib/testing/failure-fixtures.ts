import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { createTask } from '../actions/create-task';
import { startOrchestrator, type Orchestrator } from '../engine/runner';
import { defaultHandlerRegistry } from '../handlers/index';
import { saveTestTemplate, waitForTaskStatus } from './task-testing';

/** Test-only: tasks that fail the way operators meet them, made by a real orchestrator run. */
const testHandlers = defaultHandlerRegistry({ withTestHandlers: true });

export async function startTestOrchestrator(database: Database, running: Orchestrator[]): Promise<Orchestrator> {
  const orchestrator = await startOrchestrator({ database, handlers: testHandlers, pollIntervalMs: 50, shutdownGraceMs: 100 });
  running.push(orchestrator);
  return orchestrator;
}

/**
 * `signup`: user → (billing, preferences) → welcome. billing fails for good ("card declined for
 * order 123") the first `billingFailures` attempts (always when undefined); welcome then waits.
 */
export async function saveSignupTemplate(database: Database, { billingFailures }: { billingFailures?: number } = {}) {
  await saveTestTemplate(database.db, {
    name: 'signup',
    schema: {
      type: 'object',
      required: ['user_info'],
      properties: {
        user_info: {
          type: 'object',
          required: ['email'],
          properties: { email: { type: 'string', format: 'email' }, plan: { enum: ['free', 'pro'], default: 'free' } },
        },
      },
    },
    identityFields: ['user_info.email'],
    steps: [
      { name: 'user', handler: 'test.noop', handlerConfig: { result: { user_id: 7 } } },
      {
        name: 'billing',
        handler: 'test.fail',
        handlerConfig: {
          kind: 'permanent',
          message: 'card declined for order 123',
          ...(billingFailures === undefined ? {} : { times: billingFailures }),
        },
        dependsOn: ['user'],
        skippable: true,
      },
      { name: 'preferences', handler: 'test.noop', dependsOn: ['user'] },
      { name: 'welcome', handler: 'test.echo', dependsOn: ['billing', 'preferences'] },
    ],
  });
}

/** Creates signup tasks for these e-mail addresses and runs them until each is in error. */
export async function createFailedSignups(database: Database, emails: string[], running: Orchestrator[]): Promise<number[]> {
  const ids: number[] = [];
  for (const email of emails) {
    const { task } = await createTask(database.db, { namespace: 'tests', name: 'signup', context: { user_info: { email } } });
    ids.push(task.id);
  }
  const orchestrator = await startTestOrchestrator(database, running);
  for (const id of ids) {
    await waitForTaskStatus(database.db, id, ['error']);
  }
  await orchestrator.stop();
  running.splice(running.indexOf(orchestrator), 1);
  return ids;
}

export async function readSteps(database: Database, taskId: number) {
  return queryRows<{ name: string; status: string }>(database.db, sql`select name, status from steps where task_id = ${taskId} order by position`);
}

export async function countRows(database: Database): Promise<Record<string, number>> {
  const [row] = await queryRows<Record<string, number>>(
    database.db,
    sql`select (select count(*) from tasks)::int as tasks, (select count(*) from steps)::int as steps,
      (select count(*) from transitions)::int as transitions, (select count(*) from step_attempts)::int as attempts,
      (select count(*) from template_versions)::int as template_versions, (select count(*) from api_tokens)::int as api_tokens,
      (select count(*) from sessions)::int as sessions`,
  );
  return row ?? {};
}

/** A fingerprint of everything a refused request must leave alone. */
export async function snapshotState(database: Database): Promise<string> {
  const [row] = await queryRows<{ state: string }>(
    database.db,
    sql`select md5(coalesce((select string_agg(id || status || context::text || updated_at::text, ',' order by id) from tasks), '')
      || coalesce((select string_agg(id || status || coalesce(run_at::text, '') || attempts, ',' order by id) from steps), '')) as state`,
  );
  return JSON.stringify({ ...(await countRows(database)), state: row?.state });
}
