import fs from 'node:fs';
import path from 'node:path';
import { and, desc, eq, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client';
import { templateVersions, type TemplateVersionRow } from '../db/schema';
import { SEED_REPORT_FILE, SEEDED_TASKS, type SeedReport } from '../e2e/pages/seeded-tasks';
import { readEnv } from '../lib/env';
import { startRuntime } from '../lib/runtime/host';
import type { TemplateDefinition } from '../lib/templates/template-definition';

/**
 * Prepares the e2e database before `next start` opens it (playwright.config.ts): migrates it, registers
 * the templates as the server would, then writes SEEDED_TASKS.count finished tasks of the one-step
 * many_tasks template set-based (INSERT … SELECT generate_series), so the task list is tested at scale
 * without making 100,000 tasks through the API or running them. Each task gets what a run of it leaves
 * behind: the task, its step, its attempt and its audit trail.
 *
 * Run on the embedded database only (DATA_DIR, no DATABASE_URL), by the one process that owns the directory.
 * What it wrote and how long it took goes to SEED_REPORT_FILE in DATA_DIR, for the test report.
 */
const env = readEnv();
if (env.databaseUrl) {
  throw new Error('seed-e2e-data writes the embedded e2e database: unset DATABASE_URL');
}
const started = performance.now();
const runtime = await startRuntime({ env, withOrchestrator: false, withDemoServices: false });
try {
  const prepared = performance.now();
  const counts = await seedFinishedTasks(runtime.database.db, await findTemplateVersion(runtime.database.db));
  const report: SeedReport = {
    ...counts,
    seedSeconds: Math.round(performance.now() - prepared) / 1000,
    totalSeconds: Math.round(performance.now() - started) / 1000,
  };
  fs.writeFileSync(path.join(env.dataDir, SEED_REPORT_FILE), JSON.stringify(report));
  console.log(`seed-e2e-data: ${JSON.stringify(report)}`);
} finally {
  await runtime.stop();
}

async function findTemplateVersion(db: Db): Promise<TemplateVersionRow> {
  const [version] = await db
    .select()
    .from(templateVersions)
    .where(and(eq(templateVersions.namespace, SEEDED_TASKS.namespace), eq(templateVersions.name, SEEDED_TASKS.name)))
    .orderBy(desc(templateVersions.id))
    .limit(1);
  if (!version) {
    throw new Error(`no template ${SEEDED_TASKS.namespace}/${SEEDED_TASKS.name}: is E2E=1 set, so that e2e/fixtures/templates are registered?`);
  }
  return version;
}

/**
 * Writes the tasks in one transaction. Secondary indexes are dropped first and rebuilt at the end
 * (building the trigram index of the contexts once is much faster than growing it row by row), then
 * the tables are analysed, as a server that has run for a month would have them.
 */
async function seedFinishedTasks(db: Db, templateVersion: TemplateVersionRow): Promise<{ tasks: number; transitions: number }> {
  const definition = templateVersion.definition as TemplateDefinition;
  const [step, ...others] = definition.steps;
  if (!step || others.length > 0 || definition.identityFields.join() !== 'item.email') {
    throw new Error(`${definition.namespace}/${definition.name} is not the one-step template, keyed by item.email, this seed writes`);
  }
  const indexes = await queryRows<{ indexname: string; indexdef: string }>(
    db,
    sql`select i.indexname, i.indexdef from pg_indexes i
        where i.schemaname = 'public' and i.tablename in ('tasks', 'steps', 'step_attempts', 'transitions')
          and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
  );
  for (const index of indexes) {
    await db.execute(sql.raw(`drop index "${index.indexname}"`));
  }
  const email = sql`${SEEDED_TASKS.emailPrefix}::text || g || ${SEEDED_TASKS.emailDomain}::text`;
  const created = `created from ${definition.namespace}/${definition.name}@${definition.version}`;
  const actor = 'e2e-seed';
  await db.transaction(async (tx) => {
    // One row per task: its number g, its fate, and a creation time spread over the last 30 days (the newest half a minute ago).
    await tx.execute(sql`
      create temp table seed_tasks on commit drop as
      select g, case when g % ${SEEDED_TASKS.cancelledEvery} = 0 then 'cancelled' else 'complete' end as status,
        now() - interval '30 days' + (g - 1) * (interval '30 days' / ${SEEDED_TASKS.count}) as created_at
      from generate_series(1, ${SEEDED_TASKS.count}) g`);
    await tx.execute(sql`
      create temp table seed_ids on commit drop as
      with new_tasks as (
        insert into tasks (template_version_id, namespace, name, version, status, context, identity_key, correlation_id,
          unfinished_steps, live_steps, created_by, created_at, updated_at, completed_at)
        select ${templateVersion.id}, ${definition.namespace}, ${definition.name}, ${definition.version}, s.status,
          jsonb_build_object('item', jsonb_build_object('email', ${email}, 'batch', ${SEEDED_TASKS.batch}::text)),
          -- computeIdentityKey: sha256 of the JSON array of the identity values
          encode(sha256(convert_to('["' || ${email} || '"]', 'UTF8')), 'hex'),
          md5('seed' || g), 0, 0, ${actor}::text, s.created_at, s.created_at + interval '2 seconds',
          case when s.status = 'complete' then s.created_at + interval '2 seconds' end
        from seed_tasks s order by g
        returning id, created_at, status
      )
      select id, created_at, status from new_tasks`);
    await tx.execute(sql`
      insert into steps (task_id, name, position, handler, handler_config, service, status, retryable, skippable, retry_limit,
        timeout_seconds, backoff, pending_dependencies, attempts, worker_id, results, started_at, completed_at, updated_at)
      select t.id, ${step.name}, 0, ${step.handler}, ${JSON.stringify(step.handlerConfig)}::jsonb, ${step.service}, t.status,
        ${step.retryable}, ${step.skippable}, ${step.retryable ? step.retryLimit : 1}, ${Math.ceil(step.timeoutSeconds)},
        ${JSON.stringify(step.backoff)}::jsonb, 0,
        case when t.status = 'complete' then 1 else 0 end,
        case when t.status = 'complete' then ${actor}::text end,
        -- what test.noop answers: its configured result
        case when t.status = 'complete' then ${JSON.stringify(step.handlerConfig.result ?? { ok: true })}::jsonb end,
        case when t.status = 'complete' then t.created_at + interval '1 second' end,
        case when t.status = 'complete' then t.created_at + interval '2 seconds' end,
        t.created_at + interval '2 seconds'
      from seed_ids t`);
    await tx.execute(sql`
      insert into step_attempts (step_id, number, task_id, worker_id, started_at, finished_at, outcome, duration_ms)
      select s.id, 1, s.task_id, ${actor}::text, s.started_at, s.completed_at, 'complete', 1000
      from steps s join seed_ids t on t.id = s.task_id where s.status = 'complete'`);
    await tx.execute(sql`
      insert into transitions (task_id, step_id, from_status, to_status, reason, actor, attempt, created_at)
      select task_id, step_id, from_status, to_status, reason, ${actor}, attempt, at from (
        select t.id as task_id, null::bigint as step_id, null as from_status, 'pending' as to_status, ${created}::text as reason,
          null::int as attempt, t.created_at as at from seed_ids t
        union all
        select s.task_id, s.id, null, 'ready', 'task created', null, t.created_at from seed_ids t join steps s on s.task_id = t.id
        union all
        select t.id, null, 'pending', 'in_progress', 'first step started', null, t.created_at + interval '1 second'
          from seed_ids t where t.status = 'complete'
        union all
        select s.task_id, s.id, 'ready', 'in_progress', 'claimed by ' || ${actor}::text, 1, s.started_at
          from seed_ids t join steps s on s.task_id = t.id where t.status = 'complete'
        union all
        select s.task_id, s.id, 'in_progress', 'complete', 'handler succeeded', 1, s.completed_at
          from seed_ids t join steps s on s.task_id = t.id where t.status = 'complete'
        union all
        select t.id, null, 'in_progress', 'complete', 'task finished', null, t.created_at + interval '2 seconds'
          from seed_ids t where t.status = 'complete'
        union all
        select s.task_id, s.id, 'ready', 'cancelled', 'task cancelled', null, t.created_at + interval '1 second'
          from seed_ids t join steps s on s.task_id = t.id where t.status = 'cancelled'
        union all
        select t.id, null, 'pending', 'cancelled', 'cancelled by an operator', null, t.created_at + interval '1 second'
          from seed_ids t where t.status = 'cancelled'
      ) trail order by at`);
  });
  for (const index of indexes) {
    await db.execute(sql.raw(index.indexdef));
  }
  for (const table of ['tasks', 'steps', 'step_attempts', 'transitions']) {
    await db.execute(sql.raw(`vacuum analyze ${table}`));
  }
  const [row] = await queryRows<{ tasks: number; transitions: number }>(
    db,
    sql`select (select count(*) from tasks where namespace = ${SEEDED_TASKS.namespace} and name = ${SEEDED_TASKS.name})::int as tasks,
          (select count(*) from transitions)::int as transitions`,
  );
  return row ?? { tasks: 0, transitions: 0 };
}
