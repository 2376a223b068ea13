import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client';
import { STEPS_READY_CHANNEL } from '../../db/queries/steps';
import type { TemplateVersionRow } from '../../db/schema';
import type { TemplateDefinition } from '../../lib/templates/template-definition';

/**
 * Creates `count` new tasks of a stored template version in ONE statement (one transaction), writing
 * exactly what createTask writes for each: the task (pending, counters set), its steps (roots ready,
 * the rest pending with their dependency count), the dependencies and the creation transitions, then
 * one NOTIFY. All of them become visible at the same instant, so idle workers start together and the
 * drain measures the orchestrator, not the rate at which tasks are made.
 *
 * With `holdRoots`, the roots are written ready but claimable only an hour later, so that statistics can
 * be gathered and workers started before `releaseHeldSteps` makes them all claimable at one instant.
 *
 * `contextOf(g)` is an SQL expression of the series number `g` (1…count) giving the task's context.
 */
export async function seedPendingTasks(
  db: Db,
  {
    templateVersion,
    count,
    contextOf = sql`jsonb_build_object('n', g)`,
    actor = 'bench',
    holdRoots = false,
  }: {
    templateVersion: TemplateVersionRow;
    count: number;
    contextOf?: SQL;
    actor?: string;
    /** Root steps are made claimable only an hour from now, until releaseHeldSteps. */
    holdRoots?: boolean;
  },
): Promise<number> {
  const definition = templateVersion.definition as TemplateDefinition;
  const rootCount = definition.steps.filter((step) => step.dependsOn.length === 0).length;
  const stepRows = JSON.stringify(
    definition.steps.map((step, position) => ({
      name: step.name,
      position,
      handler: step.handler,
      handler_config: step.handlerConfig,
      service: step.service,
      status: step.dependsOn.length === 0 ? 'ready' : 'pending',
      retryable: step.retryable,
      skippable: step.skippable,
      retry_limit: step.retryable ? step.retryLimit : 1,
      timeout_seconds: Math.ceil(step.timeoutSeconds),
      backoff: step.backoff,
      pending_dependencies: step.dependsOn.length,
    })),
  );
  const edges = JSON.stringify(definition.steps.flatMap((step) => step.dependsOn.map((parent) => ({ parent, child: step.name }))));
  const createdReason = `created from ${definition.namespace}/${definition.name}@${definition.version}`;
  const [row] = await queryRows<{ tasks: number }>(
    db,
    sql`
    with new_tasks as (
      insert into tasks (template_version_id, namespace, name, version, status, context, correlation_id, unfinished_steps, live_steps, created_by)
      select ${templateVersion.id}, ${definition.namespace}, ${definition.name}, ${definition.version}, 'pending', ${contextOf},
        gen_random_uuid()::text, ${definition.steps.length}, ${rootCount}, ${actor}
      from generate_series(1, ${count}) g
      returning id
    ), template_steps as (
      select * from jsonb_to_recordset(${stepRows}::jsonb) as s(name text, position int, handler text, handler_config jsonb, service text,
        status text, retryable boolean, skippable boolean, retry_limit int, timeout_seconds int, backoff jsonb, pending_dependencies int)
    ), new_steps as (
      insert into steps (task_id, name, position, handler, handler_config, service, status, retryable, skippable, retry_limit,
        timeout_seconds, backoff, pending_dependencies, run_at)
      select t.id, s.name, s.position, s.handler, s.handler_config, s.service, s.status, s.retryable, s.skippable, s.retry_limit,
        s.timeout_seconds, s.backoff, s.pending_dependencies, case when s.status = 'ready' then now() + ${holdRoots ? sql`interval '1 hour'` : sql`interval '0'`} end
      from new_tasks t cross join template_steps s
      order by t.id, s.position
      returning id, task_id, name, status
    ), new_dependencies as (
      insert into step_dependencies (depends_on_step_id, step_id)
      select p.id, c.id from jsonb_to_recordset(${edges}::jsonb) as e(parent text, child text)
      join new_steps c on c.name = e.child join new_steps p on p.task_id = c.task_id and p.name = e.parent
    ), task_transitions as (
      insert into transitions (task_id, from_status, to_status, reason, actor)
      select id, null, 'pending', ${createdReason}, ${actor} from new_tasks
    ), step_transitions as (
      insert into transitions (task_id, step_id, from_status, to_status, reason, actor)
      select task_id, id, null, status, 'task created', ${actor} from new_steps
    ), wake as (
      select pg_notify(${STEPS_READY_CHANNEL}, '')
    )
    select (select count(*) from new_tasks)::int as tasks, (select count(*) from wake)::int as woken`,
  );
  return row?.tasks ?? 0;
}

/** Makes every held ready step claimable now, in one statement, and wakes the orchestrators. */
export async function releaseHeldSteps(db: Db): Promise<number> {
  const [row] = await queryRows<{ released: number }>(
    db,
    sql`with released as (
          update steps set run_at = now() where status = 'ready' and run_at > now() returning id
        ), wake as (
          select pg_notify(${STEPS_READY_CHANNEL}, '')
        )
        select (select count(*) from released)::int as released, (select count(*) from wake)::int as woken`,
  );
  return row?.released ?? 0;
}
