import { sql } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../client';
import { tasks, type TaskRow } from '../schema';
import type { NewTask, NewTransition } from './tasks';

export type TaskKeys = { namespace: string; name: string; idempotencyKey: string | null; identityKey: string | null };

/**
 * The tasks holding any of these idempotency keys or identity keys (each within its template), in two
 * statements whatever the number of keys: the keys travel as one JSON parameter.
 */
export async function findTasksByAnyKeys(dbOrTx: DbOrTx, keys: readonly TaskKeys[]): Promise<{ byKey: TaskRow[]; byIdentity: TaskRow[] }> {
  const withKey = keys
    .filter((key) => key.idempotencyKey !== null)
    .map((key) => ({ namespace: key.namespace, name: key.name, key: key.idempotencyKey }));
  const withIdentity = keys
    .filter((key) => key.identityKey !== null)
    .map((key) => ({ namespace: key.namespace, name: key.name, key: key.identityKey }));
  const byKey =
    withKey.length === 0
      ? []
      : await dbOrTx
          .select()
          .from(tasks)
          .where(
            sql`(${tasks.namespace}, ${tasks.name}, ${tasks.idempotencyKey}) in
              (select k.namespace, k.name, k.key from jsonb_to_recordset(${JSON.stringify(withKey)}::jsonb) as k(namespace text, name text, key text))`,
          );
  const byIdentity =
    withIdentity.length === 0
      ? []
      : await dbOrTx
          .select()
          .from(tasks)
          .where(
            sql`(${tasks.namespace}, ${tasks.name}, ${tasks.identityKey}) in
              (select k.namespace, k.name, k.key from jsonb_to_recordset(${JSON.stringify(withIdentity)}::jsonb) as k(namespace text, name text, key text))`,
          );
  return { byKey, byIdentity };
}

/**
 * Inserts the tasks in their order, skipping any whose idempotency or identity key is taken: the rows
 * inserted (in no particular order). The rows travel as one JSON parameter, as the steps' do below; the
 * inserted tasks are then read back whole.
 */
export async function insertTasksUnlessDuplicate(tx: DbOrTx, rows: readonly NewTask[]): Promise<TaskRow[]> {
  if (rows.length === 0) {
    return [];
  }
  const records = rows.map((row) => ({
    template_version_id: row.templateVersionId,
    namespace: row.namespace,
    name: row.name,
    version: row.version,
    status: row.status ?? 'pending',
    context: row.context,
    idempotency_key: row.idempotencyKey ?? null,
    request_digest: row.requestDigest ?? null,
    identity_key: row.identityKey ?? null,
    correlation_id: row.correlationId,
    unfinished_steps: row.unfinishedSteps,
    live_steps: row.liveSteps,
    created_by: row.createdBy ?? 'system',
  }));
  const inserted = await queryRows<{ id: number | string }>(
    tx,
    sql`insert into tasks (template_version_id, namespace, name, version, status, context, idempotency_key, request_digest,
          identity_key, correlation_id, unfinished_steps, live_steps, created_by)
        select (e.item->>'template_version_id')::bigint, e.item->>'namespace', e.item->>'name', e.item->>'version', e.item->>'status',
          e.item->'context', e.item->>'idempotency_key', e.item->>'request_digest', e.item->>'identity_key', e.item->>'correlation_id',
          (e.item->>'unfinished_steps')::integer, (e.item->>'live_steps')::integer, e.item->>'created_by'
        from jsonb_array_elements(${JSON.stringify(records)}::jsonb) with ordinality as e(item, ord)
        order by e.ord
        on conflict do nothing
        returning id`,
    { prepare: true },
  );
  if (inserted.length === 0) {
    return [];
  }
  const ids = JSON.stringify(inserted.map((row) => Number(row.id)));
  return tx
    .select()
    .from(tasks)
    .where(sql`${tasks.id} in (select value::bigint from jsonb_array_elements_text(${ids}::jsonb))`);
}

/** A step of a new task, as createTasks writes it: `runNow` for a root step, ready at once. */
export type NewStepOfTask = {
  taskId: number;
  name: string;
  position: number;
  handler: string;
  handlerConfig: unknown;
  service: string | null;
  status: string;
  retryable: boolean;
  skippable: boolean;
  retryLimit: number;
  timeoutSeconds: number;
  backoff: unknown;
  pendingDependencies: number;
  runNow: boolean;
};

/*
 * The rows of the statements below travel as ONE JSON parameter, whatever their number: the statement's
 * text never changes (prepared once per connection), and building it costs next to nothing, where Drizzle
 * spends more CPU building a multi-row INSERT of a few dozen rows (several checks per parameter) than
 * PostgreSQL spends running it.
 */

/** Inserts the steps of many tasks in one statement; each with its id, task, name and status. */
export async function insertStepsOfTasks(tx: DbOrTx, rows: readonly NewStepOfTask[]) {
  if (rows.length === 0) {
    return [];
  }
  const inserted = await queryRows<{ id: number | string; task_id: number | string; name: string; status: string }>(
    tx,
    sql`insert into steps (task_id, name, position, handler, handler_config, service, status, retryable, skippable,
          retry_limit, timeout_seconds, backoff, pending_dependencies, run_at)
        select r.task_id, r.name, r.position, r.handler, r.handler_config, r.service, r.status, r.retryable, r.skippable,
          r.retry_limit, r.timeout_seconds, r.backoff, r.pending_dependencies, case when r.run_now then now() end
        from jsonb_to_recordset(${JSON.stringify(rows.map(toStepRecord))}::jsonb) as r(task_id bigint, name text, position integer,
          handler text, handler_config jsonb, service text, status text, retryable boolean, skippable boolean, retry_limit integer,
          timeout_seconds integer, backoff jsonb, pending_dependencies integer, run_now boolean)
        returning id, task_id, name, status`,
    { prepare: true },
  );
  return inserted.map((row) => ({ id: Number(row.id), taskId: Number(row.task_id), name: row.name, status: row.status }));
}

function toStepRecord(row: NewStepOfTask) {
  return {
    task_id: row.taskId,
    name: row.name,
    position: row.position,
    handler: row.handler,
    handler_config: row.handlerConfig,
    service: row.service,
    status: row.status,
    retryable: row.retryable,
    skippable: row.skippable,
    retry_limit: row.retryLimit,
    timeout_seconds: row.timeoutSeconds,
    backoff: row.backoff,
    pending_dependencies: row.pendingDependencies,
    run_now: row.runNow,
  };
}

/** Inserts the dependency rows of many tasks in one statement. */
export async function insertDependenciesOfTasks(tx: DbOrTx, rows: readonly { dependsOnStepId: number; stepId: number }[]) {
  if (rows.length === 0) {
    return;
  }
  const records = rows.map((row) => ({ depends_on_step_id: row.dependsOnStepId, step_id: row.stepId }));
  await queryRows(
    tx,
    sql`insert into step_dependencies (depends_on_step_id, step_id)
        select r.depends_on_step_id, r.step_id from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(depends_on_step_id bigint, step_id bigint)`,
    { prepare: true },
  );
}

/** Inserts the creation audit rows of many tasks in one statement. */
export async function insertCreationTransitions(tx: DbOrTx, rows: readonly NewTransition[]) {
  if (rows.length === 0) {
    return;
  }
  const records = rows.map((row) => ({
    task_id: row.taskId,
    step_id: row.stepId ?? null,
    from_status: row.fromStatus ?? null,
    to_status: row.toStatus,
    reason: row.reason,
    actor: row.actor ?? 'system',
  }));
  await queryRows(
    tx,
    sql`insert into transitions (task_id, step_id, from_status, to_status, reason, actor)
        select r.task_id, r.step_id, r.from_status, r.to_status, r.reason, r.actor
        from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(task_id bigint, step_id bigint, from_status text, to_status text, reason text, actor text)`,
    { prepare: true },
  );
}
