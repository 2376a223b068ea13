import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client';
import type { TemplateVersionRow } from '../../db/schema';
import type { TemplateDefinition } from '../../lib/templates/template-definition';

/**
 * A dashboard-sized history: `count` tasks (five steps each, so 5·count steps) of two five-step
 * diamond templates, written set-based with INSERT … SELECT generate_series in batches, with:
 * - a realistic mix of task states: 90% complete, 4% error, 3% in progress, 1% pending,
 *   1.5% cancelled, 0.5% resolved manually; steps consistent with their task (an error task has one
 *   step in error after its retries, the steps after it pending; a running task has a level running
 *   or waiting to retry);
 * - contexts with a unique e-mail address each (user_registration: user<N>@example<N mod 100>.com);
 * - one attempt row per attempt and the audit trail (≈ 20 transitions per task);
 * - errors from a handful of signatures, for the Failures grouping;
 * - creation times spread over the last 29 days, one every 2.5 s.
 * The search tables (task_search_values: identity values; task_search_text: the context's text, lowercased)
 * are written by the triggers on tasks (db/migrations/0023, 0024) in the same INSERT … SELECT, set-based,
 * as for any task.
 * Secondary indexes are dropped first and rebuilt at the end (much faster than maintaining them row by
 * row), then the tables are vacuumed and analysed, as a long-running system would have them.
 *
 * Both templates must have the same shape: A → {B, C} → D → E (positions 0 … 4).
 */
export async function seedMillion(
  db: Db,
  {
    count,
    registration,
    diamond,
    batchSize = 100_000,
    onProgress = () => {},
  }: { count: number; registration: TemplateVersionRow; diamond: TemplateVersionRow; batchSize?: number; onProgress?: (message: string) => void },
): Promise<{ seconds: number; rows: Record<string, number> }> {
  const started = performance.now();
  for (const template of [registration, diamond]) {
    assertDiamondShape(template.definition as TemplateDefinition);
  }
  await db.execute(sql`set synchronous_commit = off`);
  await db.execute(sql`set maintenance_work_mem = '512MB'`);
  await db.execute(sql`set work_mem = '64MB'`);
  const indexes = await queryRows<{ indexname: string; indexdef: string }>(
    db,
    sql`select i.indexname, i.indexdef from pg_indexes i
        where i.schemaname = 'public'
          and i.tablename in ('tasks', 'steps', 'step_dependencies', 'step_attempts', 'transitions', 'task_search_values', 'task_search_text')
          and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
  );
  for (const index of indexes) {
    await db.execute(sql.raw(`drop index if exists "${index.indexname}"`));
  }
  onProgress(`dropped ${indexes.length} secondary indexes`);

  const templateSteps = JSON.stringify(
    [registration, diamond].flatMap((template, templateIndex) =>
      (template.definition as TemplateDefinition).steps.map((step, position) => ({
        template: templateIndex,
        position,
        name: step.name,
        handler: step.handler,
        handler_config: step.handlerConfig,
        service: step.service,
        retryable: step.retryable,
        skippable: step.skippable,
        retry_limit: step.retryable ? step.retryLimit : 1,
        timeout_seconds: Math.ceil(step.timeoutSeconds),
        backoff: step.backoff,
        depends: step.dependsOn.length,
      })),
    ),
  );
  const templates = [registration, diamond].map((template) => template.definition as TemplateDefinition);

  for (let low = 1; low <= count; low += batchSize) {
    const high = Math.min(count, low + batchSize - 1);
    await seedBatch(db, { low, high, count, templateSteps, registration, diamond, templates });
    onProgress(`seeded tasks ${low}…${high} (${Math.round((performance.now() - started) / 1000)} s)`);
  }
  await db.execute(sql`select setval(pg_get_serial_sequence('tasks', 'id'), (select max(id) from tasks))`);
  await db.execute(sql`select setval(pg_get_serial_sequence('steps', 'id'), (select max(id) from steps))`);
  for (const index of indexes) {
    const indexStarted = performance.now();
    await db.execute(sql.raw(index.indexdef));
    onProgress(`rebuilt ${index.indexname} in ${Math.round(performance.now() - indexStarted)} ms`);
  }
  // Rows were inserted in their final states, past the triggers that keep the Failures index.
  const failingStarted = performance.now();
  await db.execute(sql`select switchyard_rebuild_failing_steps()`);
  onProgress(`indexed the failing steps in ${Math.round(performance.now() - failingStarted)} ms`);
  await db.execute(sql`vacuum analyze failing_steps`);
  await db.execute(sql`vacuum analyze tasks`);
  await db.execute(sql`vacuum analyze task_search_values`);
  await db.execute(sql`vacuum analyze task_search_text`);
  await db.execute(sql`vacuum analyze steps`);
  await db.execute(sql`vacuum analyze step_dependencies`);
  await db.execute(sql`vacuum analyze step_attempts`);
  await db.execute(sql`vacuum analyze transitions`);
  const [rows] = await queryRows<Record<string, number>>(
    db,
    sql`select (select count(*) from tasks)::int as tasks, (select count(*) from steps)::int as steps,
          (select count(*) from step_dependencies)::int as step_dependencies, (select count(*) from step_attempts)::int as step_attempts,
          (select count(*) from transitions)::int as transitions, (select count(*) from task_search_values)::int as task_search_values`,
  );
  return { seconds: (performance.now() - started) / 1000, rows: rows ?? {} };
}

function assertDiamondShape(definition: TemplateDefinition): void {
  const shape = definition.steps.map((step) =>
    step.dependsOn
      .map((name) => definition.steps.findIndex((s) => s.name === name))
      .sort()
      .join(','),
  );
  if (shape.join('|') !== '|0|0|1,2|3') {
    throw new Error(`${definition.namespace}/${definition.name} is not the A → {B, C} → D → E diamond the seed writes`);
  }
}

async function seedBatch(
  db: Db,
  {
    low,
    high,
    count,
    templateSteps,
    registration,
    diamond,
    templates,
  }: {
    low: number;
    high: number;
    count: number;
    templateSteps: string;
    registration: TemplateVersionRow;
    diamond: TemplateVersionRow;
    templates: TemplateDefinition[];
  },
): Promise<void> {
  const [registrationDefinition, diamondDefinition] = templates as [TemplateDefinition, TemplateDefinition];
  await db.transaction(async (tx) => {
    // One row per task: its template, state, and the knobs its steps derive from.
    await tx.execute(sql`drop table if exists seed_tasks, seed_steps`);
    await tx.execute(sql`
      create temp table seed_tasks on commit drop as
      select g as id,
        case when g % 5 = 0 then 1 else 0 end as template,
        case when r < 900 then 'complete' when r < 940 then 'error' when r < 970 then 'in_progress' when r < 980 then 'pending'
             when r < 995 then 'cancelled' else 'resolved_manually' end as status,
        case when (g * 40503) % 10 < 4 then 1 when (g * 40503) % 10 < 8 then 3 else 4 end as fail_position,
        ((g * 7919) % 4)::int as running_level,
        ((g * 31) % 5)::int as error_kind,
        now() - (${count} - g) * interval '2.5 seconds' as created_at
      from (select g, ((g * 2654435761) % 1000)::int as r from generate_series(${low}::bigint, ${high}::bigint) g) numbered`);
    // One row per step: its status and number of attempts, derived from its task's.
    await tx.execute(sql`
      create temp table seed_steps on commit drop as
      select t.id as task_id, t.template, t.created_at, t.error_kind, s.position, s.name, s.handler, s.handler_config, s.service,
        s.retryable, s.skippable, s.retry_limit, s.timeout_seconds, s.backoff, s.depends,
        (t.id - 1) * 5 + s.position + 1 as id, l.level, st.status,
        case when st.status in ('complete', 'in_progress') then 1
             when st.status = 'waiting_retry' then 1 + (t.id % 2)::int
             when st.status in ('error', 'resolved_manually') then s.retry_limit
             else 0 end as attempts
      from seed_tasks t
      join jsonb_to_recordset(${templateSteps}::jsonb) as s(template int, position int, name text, handler text, handler_config jsonb,
        service text, retryable boolean, skippable boolean, retry_limit int, timeout_seconds int, backoff jsonb, depends int)
        on s.template = t.template
      cross join lateral (select case s.position when 0 then 0 when 1 then 1 when 2 then 1 when 3 then 2 else 3 end as level) l
      cross join lateral (select case
          when t.status = 'complete' then 'complete'
          when t.status = 'error' then case
            when s.position = t.fail_position then 'error'
            when l.level < case t.fail_position when 1 then 1 when 3 then 2 else 3 end or (t.fail_position = 1 and s.position = 2) then 'complete'
            else 'pending' end
          when t.status = 'in_progress' then case
            when l.level < t.running_level then 'complete'
            when l.level = t.running_level then case when (t.id + s.position) % 3 = 0 then 'waiting_retry' else 'in_progress' end
            else 'pending' end
          when t.status = 'pending' then case when s.position = 0 then 'ready' else 'pending' end
          when t.status = 'cancelled' then case when s.position = 0 then 'complete' else 'cancelled' end
          else case when s.position = 1 then 'resolved_manually' else 'complete' end
        end as status) st`);
    await tx.execute(sql`
      insert into tasks (id, template_version_id, namespace, name, version, status, context, correlation_id, unfinished_steps, live_steps,
        created_by, created_at, updated_at, completed_at)
      overriding system value
      select t.id,
        case t.template when 0 then ${registration.id}::bigint else ${diamond.id}::bigint end,
        case t.template when 0 then ${registrationDefinition.namespace} else ${diamondDefinition.namespace} end,
        case t.template when 0 then ${registrationDefinition.name} else ${diamondDefinition.name} end,
        case t.template when 0 then ${registrationDefinition.version} else ${diamondDefinition.version} end,
        t.status,
        case t.template
          when 0 then jsonb_build_object(
            'user_info', jsonb_build_object('email', 'user' || t.id || '@example' || (t.id % 100) || '.com', 'name', 'User ' || t.id,
              'plan', (array['free', 'pro', 'enterprise'])[1 + t.id % 3], 'source', 'web'),
            'billing_info', jsonb_build_object('payment_method', 'card', 'billing_address',
              jsonb_build_object('street', t.id || ' Main St', 'city', 'Springfield', 'postal_code', lpad((t.id % 99999)::text, 5, '0'), 'country', 'US')),
            'preferences', jsonb_build_object('email_notifications', true, 'marketing_emails', t.id % 2 = 0, 'product_updates', true))
          else jsonb_build_object('order', 'ORD-' || lpad(t.id::text, 8, '0'), 'customer', 'customer' || (t.id % 5000) || '@shop.example')
        end,
        md5(t.id::text),
        agg.unfinished, agg.live, 'system', t.created_at, t.created_at + interval '2 seconds',
        case when t.status in ('complete', 'resolved_manually') then t.created_at + interval '1 second' end
      from seed_tasks t
      join (select task_id,
              count(*) filter (where status not in ('complete', 'resolved_manually', 'skipped', 'cancelled'))::int as unfinished,
              count(*) filter (where status in ('ready', 'in_progress', 'waiting_retry'))::int as live
            from seed_steps group by task_id) agg on agg.task_id = t.id`);
    await tx.execute(sql`
      insert into steps (id, task_id, name, position, handler, handler_config, service, status, retryable, skippable, retry_limit,
        timeout_seconds, backoff, pending_dependencies, attempts, run_at, lease_expires_at, worker_id, results, last_error, started_at,
        completed_at, updated_at)
      overriding system value
      select s.id, s.task_id, s.name, s.position, s.handler, s.handler_config, s.service, s.status, s.retryable, s.skippable, s.retry_limit,
        s.timeout_seconds, s.backoff,
        case when s.status = 'pending' then s.depends else 0 end,
        s.attempts,
        case when s.status = 'ready' then s.created_at when s.status = 'waiting_retry' then now() + interval '1 hour' end,
        case when s.status = 'in_progress' then now() + interval '1 hour' end,
        case when s.status = 'in_progress' then 'bench-seed' end,
        case when s.status in ('complete', 'resolved_manually') then jsonb_build_object('id', s.name || '_' || s.task_id, 'ok', true) end,
        case when s.status in ('error', 'waiting_retry', 'resolved_manually') then jsonb_build_object(
          'class', e.error_class, 'message', e.message, 'code', e.code, 'http_status', e.http_status, 'attempt', s.attempts,
          'outcome', e.outcome, 'at', s.created_at + interval '1 second') end,
        case when s.attempts > 0 then s.created_at + s.level * interval '50 milliseconds' end,
        case when s.status in ('complete', 'resolved_manually') then s.created_at + (s.level + 1) * interval '50 milliseconds' end,
        s.created_at + interval '2 seconds'
      from seed_steps s
      cross join lateral (select
          case s.error_kind when 0 then 'RetryableError' when 1 then 'RetryableError' when 2 then 'AttemptTimeoutError' when 3 then 'RetryableError' else 'PermanentError' end as error_class,
          case s.error_kind
            when 0 then 'POST ' || coalesce(s.service, 'svc') || ' answered 503: ' || coalesce(s.service, 'svc') || ' is down'
            when 1 then 'POST ' || coalesce(s.service, 'svc') || ' answered 429: rate limited; retry after 2s'
            when 2 then 'The attempt did not finish within its timeout of ' || s.timeout_seconds || ' s'
            when 3 then 'POST ' || coalesce(s.service, 'svc') || ' answered 500: ' || coalesce(s.service, 'svc') || ' failed (demo mode "flaky")'
            else 'POST ' || coalesce(s.service, 'svc') || ' answered 422: ' || coalesce(s.service, 'svc') || ' rejects every request' end as message,
          case s.error_kind when 0 then 'http_503' when 1 then 'http_429' when 2 then 'timeout' when 3 then 'http_500' else 'http_422' end as code,
          case s.error_kind when 0 then 503 when 1 then 429 when 2 then null when 3 then 500 else 422 end as http_status,
          case s.error_kind when 2 then 'timeout' when 4 then 'permanent_error' else 'retryable_error' end as outcome) e`);
    await tx.execute(sql`
      insert into step_dependencies (depends_on_step_id, step_id)
      select (t.id - 1) * 5 + e.parent + 1, (t.id - 1) * 5 + e.child + 1
      from seed_tasks t cross join (values (0, 1), (0, 2), (1, 3), (2, 3), (3, 4)) as e(parent, child)`);
    await tx.execute(sql`
      insert into step_attempts (step_id, number, task_id, worker_id, started_at, finished_at, outcome, error_class, error_message, error_code,
        http_status, duration_ms)
      select s.id, n, s.task_id, 'bench-seed', s.created_at + (s.level * 50 + n) * interval '1 millisecond',
        case when s.status = 'in_progress' and n = s.attempts then null else s.created_at + (s.level * 50 + n + 5) * interval '1 millisecond' end,
        case when s.status = 'in_progress' and n = s.attempts then 'running'
             when s.status = 'complete' and n = s.attempts then 'complete'
             when s.error_kind = 2 then 'timeout' when s.error_kind = 4 and n = s.attempts then 'permanent_error' else 'retryable_error' end,
        case when s.status = 'complete' and n = s.attempts or s.status = 'in_progress' then null else 'RetryableError' end,
        case when s.status = 'complete' and n = s.attempts or s.status = 'in_progress' then null else 'attempt ' || n || ' failed' end,
        null, null, 5
      from seed_steps s cross join lateral generate_series(1, s.attempts) n`);
    await tx.execute(sql`
      insert into transitions (task_id, step_id, from_status, to_status, reason, actor, attempt, created_at)
      select task_id, step_id, from_status, to_status, reason, 'system', attempt, at from (
        select t.id as task_id, null::bigint as step_id, null as from_status, 'pending' as to_status,
          'created from a template' as reason, null::int as attempt, t.created_at as at from seed_tasks t
        union all
        select t.id, null, 'pending', 'in_progress', 'first step started', null, t.created_at + interval '1 millisecond'
          from seed_tasks t where t.status <> 'pending'
        union all
        select t.id, null, 'in_progress', t.status, 'task finished', null, t.created_at + interval '1 second'
          from seed_tasks t where t.status not in ('pending', 'in_progress')
        union all
        select s.task_id, s.id, null, case when s.depends = 0 then 'ready' else 'pending' end, 'task created', null, s.created_at from seed_steps s
        union all
        select s.task_id, s.id, 'pending', 'ready', 'dependencies satisfied', null, s.created_at + s.level * interval '50 milliseconds'
          from seed_steps s where s.depends > 0 and s.status not in ('pending', 'cancelled')
        union all
        select s.task_id, s.id, 'ready', 'in_progress', 'claimed by bench-seed', n, s.created_at + (s.level * 50 + n) * interval '1 millisecond'
          from seed_steps s cross join lateral generate_series(1, s.attempts) n
        union all
        select s.task_id, s.id, 'in_progress',
          case when n < s.attempts then 'waiting_retry' when s.status = 'resolved_manually' then 'error' else s.status end,
          case when n = s.attempts and s.status = 'complete' then 'handler succeeded' else 'retryable_error: attempt failed' end, n,
          s.created_at + (s.level * 50 + n + 5) * interval '1 millisecond'
          from seed_steps s cross join lateral generate_series(1, s.attempts) n
          where not (s.status = 'in_progress' and n = s.attempts)
        union all
        select s.task_id, s.id, case when s.status = 'cancelled' then 'pending' else 'error' end, s.status, 'operator action', null,
          s.created_at + interval '1 second'
          from seed_steps s where s.status in ('cancelled', 'resolved_manually')
      ) trail`);
  });
}
