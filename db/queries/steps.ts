import { inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type DbOrTx } from '../client';
import { stepDependencies, steps } from '../schema';
import { CLAIMABLE_STEP_STATUSES, COMPENSABLE_STEP_STATUSES, type StepKind } from '../statuses';
import { toSqlList } from '../to-sql-list';
import { isNotHeldSql } from './service-holds';
import { hasConcurrencyRoomSql, keepWithinServiceLimitsSql, type ServiceLimit } from './service-limits';
import { insertTaskFinishTransitionsSql, updateTaskCountersSql } from './tasks';

/** Channel on which a statement that makes steps ready tells every orchestrator to claim. */
export const STEPS_READY_CHANNEL = 'switchyard_steps_ready';
/** Channel carrying the ids of tasks whose state changed (comma-separated), for live views. */
export const TASKS_CHANGED_CHANNEL = 'switchyard_tasks_changed';

export type ClaimedStep = {
  id: number;
  taskId: number;
  name: string;
  handler: string;
  handlerConfig: Record<string, unknown>;
  service: string | null;
  attempt: number;
  attemptsThisRound: number;
  retryLimit: number;
  retryable: boolean;
  timeoutSeconds: number;
  /** maxRateLimitedSeconds is missing in the steps of tasks created before it existed. */
  backoff: { baseSeconds: number; maxSeconds: number; jitter: boolean; maxRetryAfterSeconds: number; maxRateLimitedSeconds?: number };
  /** When the service began answering "too many requests" to this step, while it still does. */
  rateLimitedSince: Date | null;
  context: Record<string, unknown>;
  correlationId: string;
  namespace: string;
  taskName: string;
  version: string;
  dependencyResults: Record<string, unknown>;
  /** `step`, or `compensation` (its dependencyResults are then the results of every step of the task). */
  kind: StepKind;
  /** Times an operator re-ran the step: part of its idempotency key when above zero. */
  rerunRound: number;
};

type ClaimedStepRow = {
  id: string | number;
  task_id: string | number;
  name: string;
  handler: string;
  handler_config: Record<string, unknown>;
  service: string | null;
  attempts: number;
  round_start_attempts: number;
  retry_limit: number;
  retryable: boolean;
  timeout_seconds: number;
  backoff: ClaimedStep['backoff'];
  rate_limited_since: Date | string | null;
  context: Record<string, unknown>;
  correlation_id: string;
  namespace: string;
  task_name: string;
  version: string;
  dependency_results: Record<string, unknown> | null;
  kind: StepKind;
  rerun_round: number;
};

/**
 * Moves up to `limit` claimable steps (ready, or waiting_retry whose time has come) to in_progress,
 * opens an attempt row for each and records the transitions, in one statement. Rows another worker
 * has locked are skipped, not waited on, so no two workers ever claim the same attempt.
 * Steps of services whose circuit is open, or that an operator holds, are left alone; with `limits`,
 * the services' rate and concurrency limits are kept (keepWithinServiceLimitsSql).
 */
export async function claimReadySteps(
  dbOrTx: DbOrTx,
  {
    limit,
    workerId,
    leaseSeconds,
    probeService,
    limits = [],
  }: { limit: number; workerId: string; leaseSeconds: number; probeService?: string; limits?: readonly ServiceLimit[] },
): Promise<ClaimedStep[]> {
  const limited = limits.length > 0;
  // A probe of a half-open circuit takes the service's next waiting step, even one still in its backoff.
  const claimable = probeService
    ? sql`status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and service = ${probeService} and ${isNotHeldSql(sql`service`)}`
    : sql`status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and run_at <= now()
        and (service is null or service not in (select service from service_circuits where state <> 'closed')) and ${isNotHeldSql(sql`service`)}
        ${limited ? sql`and ${hasConcurrencyRoomSql(limits)}` : sql``}`;
  const rows = await queryRows<ClaimedStepRow>(
    dbOrTx,
    sql`
    with ${limited ? sql`candidates` : sql`picked`} as (
      select id, status${limited ? sql`, service, run_at, attempts` : sql``} from steps
      where ${claimable}
      order by run_at
      limit ${limit}
      for update skip locked
    ), ${limited ? sql`${keepWithinServiceLimitsSql(limits)}, ` : sql``}claimed as (
      update steps s set status = 'in_progress', attempts = s.attempts + 1, worker_id = ${workerId},
        lease_expires_at = now() + make_interval(secs => ${leaseSeconds}), started_at = coalesce(s.started_at, now()),
        -- The stuck clock (steps.waiting_since): since when this round of the step has been due; a probe keeps it.
        waiting_since = coalesce(s.waiting_since, least(s.run_at, now())), run_at = null, updated_at = now()
      from picked where s.id = picked.id
      returning s.id, s.task_id, s.name, s.handler, s.handler_config, s.service, s.attempts, s.round_start_attempts, s.retry_limit,
        s.retryable, s.timeout_seconds, s.backoff, s.rate_limited_since, s.kind, s.rerun_round, picked.status as from_status
    ), opened_attempts as (
      -- clock_timestamp(), not now(): now() is when the statement arrived, which can precede the commit
      -- that made these steps ready (attempt times must follow the order in which things happened).
      insert into step_attempts (step_id, number, task_id, worker_id, started_at)
      select id, attempts, task_id, ${workerId}, clock_timestamp() from claimed
    ), step_transitions as (
      insert into transitions (task_id, step_id, from_status, to_status, reason, actor, attempt)
      select task_id, id, from_status, 'in_progress', 'claimed by ' || ${workerId}, 'system', attempts from claimed
    ), started_tasks as (
      update tasks t set status = 'in_progress', updated_at = now()
      where t.id = any(array(select task_id from claimed)) and t.status = 'pending'
      returning t.id
    ), task_transitions as (
      insert into transitions (task_id, from_status, to_status, reason, actor)
      select id, 'pending', 'in_progress', 'first step started', 'system' from started_tasks
    ), changed as (
      -- Task pages show a step starting at once, not at their stream's next check.
      select pg_notify(${TASKS_CHANGED_CHANNEL}, string_agg(distinct task_id::text, ',')) from claimed having count(*) > 0
    )
    ${selectClaimedStepsSql(sql`claimed`)}
    where (select count(*) from changed) >= 0 -- read once, so that it runs: a CTE nothing reads is skipped`,
    { prepare: true },
  );
  return rows.map(toClaimedStep);
}

/**
 * Milliseconds until the next step waiting for its time (a retry's backoff, a spread-out release)
 * becomes claimable, by the database's clock; undefined when none waits. Steps behind an open circuit
 * or a hold are left out: the circuit or the operator, not the clock, decides when they run.
 */
export async function findNextRunAtDelayMs(dbOrTx: DbOrTx): Promise<number | undefined> {
  const [row] = await queryRows<{ delay_ms: number | null }>(
    dbOrTx,
    sql`select (extract(epoch from min(run_at) - clock_timestamp()) * 1000)::float8 as delay_ms from steps
        where status in (${toSqlList(CLAIMABLE_STEP_STATUSES)}) and run_at > now()
          and (service is null or service not in (select service from service_circuits where state <> 'closed')) and ${isNotHeldSql(sql`service`)}`,
    { prepare: true },
  );
  return row?.delay_ms === null || row?.delay_ms === undefined ? undefined : Math.max(0, Number(row.delay_ms));
}

/**
 * What a worker needs to run each step of the CTE `claimed` (id, task_id, attempts, …): its task's
 * context and the results of every step it depends on, directly or not. The walk over dependencies is
 * written so that its plan does not depend on statistics (an index lookup per ancestor, results read
 * from the task's own steps): on tables not yet analysed the planner otherwise hashes every step
 * (bench/RESULTS.md).
 */
function selectClaimedStepsSql(claimed: SQL, completedHere?: SQL): SQL {
  const results = completedHere ? sql`coalesce((select h.results from ${completedHere} h where h.id = p.id), p.results)` : sql`p.results`;
  // A compensation step depends only on other compensations: it reads the results of every step of its
  // task instead (the step it undoes among them), e.g. the id of the record to delete.
  return sql`select c.*, t.context, t.correlation_id, t.namespace, t.name as task_name, t.version,
      case when c.kind = 'compensation' then
        (select jsonb_object_agg(p.name, p.results) from steps p where p.task_id = c.task_id and p.kind = 'step' and p.results is not null)
      else (with recursive ancestors(id) as (
         select depends_on_step_id from step_dependencies where step_id = c.id
         union
         select d.depends_on_step_id from ancestors a
           cross join lateral (select x.depends_on_step_id from step_dependencies x where x.step_id = a.id offset 0) d
       ) select jsonb_object_agg(p.name, ${results}) from steps p
         where p.task_id = c.task_id and p.id in (select id from ancestors)) end as dependency_results
    from ${claimed} c join tasks t on t.id = c.task_id`;
}

function toClaimedStep(row: ClaimedStepRow): ClaimedStep {
  return {
    id: Number(row.id),
    taskId: Number(row.task_id),
    name: row.name,
    handler: row.handler,
    handlerConfig: row.handler_config,
    service: row.service,
    attempt: row.attempts,
    attemptsThisRound: row.attempts - row.round_start_attempts,
    retryLimit: row.retry_limit,
    retryable: row.retryable,
    timeoutSeconds: row.timeout_seconds,
    backoff: row.backoff,
    rateLimitedSince: row.rate_limited_since === null ? null : new Date(row.rate_limited_since),
    context: row.context,
    correlationId: row.correlation_id,
    namespace: row.namespace,
    taskName: row.task_name,
    version: row.version,
    dependencyResults: row.dependency_results ?? {},
    kind: row.kind ?? 'step',
    rerunRound: row.rerun_round ?? 0,
  };
}

/**
 * What an attempt sent, got back and logged, as JSON ready to store (secrets redacted, bodies cut,
 * text storable: lib/engine/attempt-recorder.ts); written by the statement that closes the attempt.
 */
export type AttemptDetails = { request: object | null; response: object | null; serviceCalls: number; logs: object[] | null };

export type StepSuccess = {
  stepId: number;
  attempt: number;
  results: unknown;
  durationMs: number;
  httpStatus: number | null;
  details?: AttemptDetails;
};

/** Claim, in the completing statement, up to `limit` of the steps it makes ready, for this worker. */
export type ClaimReleased = {
  workerId: string;
  leaseSeconds: number;
  limit: number;
  /** Services with rate or concurrency limits: their dependents are left ready for claimReadySteps, which keeps the limits. */
  limitedServices?: readonly string[];
};

/**
 * Records successful attempts, in one statement: steps complete with their results, attempts closed,
 * dependents whose last dependency this was become ready, task counters updated and finished tasks
 * closed, transitions written, and other orchestrators woken. An outcome whose step is no longer
 * in_progress at that attempt (cancelled, or reclaimed after a lost lease) is ignored.
 *
 * With `claim`, the same statement also claims up to `claim.limit` of the dependents it releases
 * (pending → ready → in_progress, both transitions written, an attempt opened), and returns them ready
 * to run: a chain of steps then costs one statement per step, and a dependent starts without waiting
 * for a NOTIFY or a poll. It claims only dependents whose every outstanding dependency completed in
 * this statement, so that the results they are handed are complete; one released by a concurrent
 * statement of another worker becomes ready as usual. Steps of a service whose circuit is open, that
 * is held, or that has limits (`claim.limitedServices`) are left ready.
 */
export async function markStepsComplete(
  dbOrTx: DbOrTx,
  successes: readonly StepSuccess[],
  claim?: ClaimReleased,
): Promise<{ completed: number; released: number; claimed: ClaimedStep[] }> {
  if (successes.length === 0) {
    return { completed: 0, released: 0, claimed: [] };
  }
  const input = JSON.stringify(
    successes.map((s) => ({
      id: s.stepId,
      attempt: s.attempt,
      results: s.results ?? null,
      duration_ms: s.durationMs,
      http_status: s.httpStatus,
      ...attemptDetailsInput(s.details),
    })),
  );
  // Without free slots the statement stays as lean as it can be: the claiming parts are left out.
  const claiming = claim !== undefined && claim.limit > 0;
  const [row] = await queryRows<{ completed: number; released: number; claimed: ClaimedStepRow[] | null }>(
    dbOrTx,
    sql`
    with input as (
      select * from jsonb_to_recordset(${input}::text::jsonb) as i(id bigint, attempt int, results jsonb, duration_ms int, http_status int,
        request jsonb, response jsonb, service_calls int, logs jsonb)
    ), stamp as materialized (
      -- One instant for the attempts this statement closes and opens, read as it runs: after the commits
      -- it sees (now() is when the statement arrived, which can precede them).
      select clock_timestamp() as at
    ), done as (
      update steps s set status = 'complete', results = i.results, completed_at = now(), lease_expires_at = null,
        worker_id = null, rate_limited_since = null, waiting_since = null, updated_at = now()
      from input i where s.id = i.id and s.status = 'in_progress' and s.attempts = i.attempt
      returning s.id, s.task_id, s.attempts, s.name, s.compensates_step_id${claiming ? sql`, s.results` : sql``}
    ), undone as (
      -- A completed compensation: the step it undoes is compensated (both finished: no counter changes).
      update steps o set status = 'compensated', updated_at = now()
      from done d where o.id = d.compensates_step_id and o.status in (${toSqlList(COMPENSABLE_STEP_STATUSES)})
      returning o.id, o.task_id, d.name as compensation, (select previous.status from steps previous where previous.id = o.id) as previous_status
    ), undone_transitions as (
      insert into transitions (task_id, step_id, from_status, to_status, reason, actor)
      select task_id, id, previous_status, 'compensated', 'undone by ' || compensation, 'system' from undone
    ), closed_attempts as (
      update step_attempts a set finished_at = (select at from stamp), outcome = 'complete', duration_ms = i.duration_ms, http_status = i.http_status,
        ${attemptDetailsSetSql()}
      from done d join input i on i.id = d.id
      where a.step_id = d.id and a.number = d.attempts
    ), done_transitions as (
      insert into transitions (task_id, step_id, from_status, to_status, reason, actor, attempt)
      select task_id, id, 'in_progress', 'complete', 'handler succeeded', 'system', attempts from done
    ), ${releaseDependentsSql(sql`done`, claiming ? claim : undefined)}, released_transitions as (
      -- A dependent claimed here was ready too, for an instant: the trail shows both steps.
      insert into transitions (task_id, step_id, from_status, to_status, reason, actor, attempt)
      select task_id, id, 'pending', 'ready', 'dependencies satisfied', 'system', null from released where status <> 'pending'
      ${
        claiming
          ? sql`union all
      select task_id, id, 'ready', 'in_progress', 'claimed by ' || ${claim.workerId}, 'system', attempts from claimed`
          : sql``
      }
    ), task_deltas as (
      select task_id, sum(unfinished)::int as unfinished, sum(live)::int as live from (
        select task_id, -1 as unfinished, -1 as live from done
        union all
        select task_id, 0, 1 from released where status <> 'pending'
      ) deltas group by task_id
    ), updated_tasks as (
      ${updateTaskCountersSql()}
    ), task_transitions as (
      ${insertTaskFinishTransitionsSql()}
    ), wake as (
      select pg_notify(${STEPS_READY_CHANNEL}, '') from (select 1 from released where status = 'ready' limit 1) any_released
    ), changed as (
      select pg_notify(${TASKS_CHANGED_CHANNEL}, string_agg(id::text, ',')) from updated_tasks having count(*) > 0
    )
    select (select count(*) from done)::int as completed,
      (select count(*) from released where status = 'ready')::int as released,
      ${claiming ? sql`(select jsonb_agg(cs) from claimed_steps cs)` : sql`null::jsonb`} as claimed,
      (select count(*) from wake)::int + (select count(*) from changed)::int as notified`,
    { prepare: true },
  );
  return { completed: row?.completed ?? 0, released: row?.released ?? 0, claimed: (row?.claimed ?? []).map(toClaimedStep) };
}

/**
 * The one statement part that releases dependents, for the steps of the CTE `finished` (id, …) that
 * just became satisfied (complete, resolved_manually or skipped): each pending dependent's
 * pending_dependencies drops by the number of its dependencies among them, and those that reach zero
 * become ready. Defines the CTEs `release_counts` and `released(id, task_id, status, …)`; a row of
 * `released` still pending has dependencies left.
 *
 * With `claim` (markStepsComplete), up to `claim.limit` of the released steps go on to in_progress for
 * that worker and are selected in `claimed_steps`; `finished` must then carry each step's `results`,
 * and the statement must define `stamp(at)`, the attempts' start.
 */
function releaseDependentsSql(finished: SQL, claim?: ClaimReleased): SQL {
  const releaseCounts = sql`release_counts as (
      select sd.step_id, count(*)::int as n from step_dependencies sd join ${finished} f on f.id = sd.depends_on_step_id
      group by sd.step_id
    )`;
  if (!claim) {
    return sql`${releaseCounts}, released as (
      update steps c set pending_dependencies = c.pending_dependencies - rc.n,
        status = case when c.pending_dependencies - rc.n = 0 then 'ready' else c.status end,
        run_at = case when c.pending_dependencies - rc.n = 0 then now() else c.run_at end, updated_at = now()
      from release_counts rc where c.id = rc.step_id and c.status = 'pending'
      returning c.id, c.task_id, c.status
    )`;
  }
  return sql`${releaseCounts}, claimable_releases as (
      -- Judged on this statement's snapshot: every dependency still outstanding there completes here.
      select rc.step_id from release_counts rc join steps c on c.id = rc.step_id
      where c.status = 'pending' and c.pending_dependencies = rc.n
        and (c.service is null or c.service not in (select service from service_circuits where state <> 'closed'))
        and ${isNotHeldSql(sql`c.service`)}
        and (c.service is null or c.service not in (select jsonb_array_elements_text(${JSON.stringify(claim.limitedServices ?? [])}::jsonb)))
      order by rc.step_id
      limit ${claim.limit}
    ), released as (
      update steps c set pending_dependencies = c.pending_dependencies - rc.n,
        status = case when c.pending_dependencies - rc.n <> 0 then c.status when cr.step_id is not null then 'in_progress' else 'ready' end,
        run_at = case when c.pending_dependencies - rc.n = 0 and cr.step_id is null then now() else c.run_at end,
        attempts = c.attempts + case when c.pending_dependencies - rc.n = 0 and cr.step_id is not null then 1 else 0 end,
        worker_id = case when c.pending_dependencies - rc.n = 0 and cr.step_id is not null then ${claim.workerId} else c.worker_id end,
        lease_expires_at = case when c.pending_dependencies - rc.n = 0 and cr.step_id is not null
          then now() + make_interval(secs => ${claim.leaseSeconds}) else c.lease_expires_at end,
        started_at = case when c.pending_dependencies - rc.n = 0 and cr.step_id is not null then coalesce(c.started_at, now()) else c.started_at end,
        updated_at = now()
      from release_counts rc left join claimable_releases cr on cr.step_id = rc.step_id
      where c.id = rc.step_id and c.status = 'pending'
      returning c.id, c.task_id, c.status, c.name, c.handler, c.handler_config, c.service, c.attempts, c.round_start_attempts,
        c.retry_limit, c.retryable, c.timeout_seconds, c.backoff, c.rate_limited_since, c.kind, c.rerun_round
    ), claimed as (
      select * from released where status = 'in_progress'
    ), opened_attempts as (
      insert into step_attempts (step_id, number, task_id, worker_id, started_at)
      select id, attempts, task_id, ${claim.workerId}, (select at from stamp) from claimed
    ), claimed_steps as (
      -- The results of dependencies completed by this very statement are not in its snapshot of steps.
      ${selectClaimedStepsSql(sql`claimed`, finished)}
    )`;
}

/**
 * Releases the dependents of steps an operator resolved or skipped, as markStepsComplete does for
 * completed ones (releaseDependentsSql). Returns the dependents that became ready.
 */
export async function releaseDependents(tx: DbOrTx, stepIds: readonly number[]): Promise<{ id: number; taskId: number }[]> {
  if (stepIds.length === 0) {
    return [];
  }
  const rows = await queryRows<{ id: string | number; task_id: string | number }>(
    tx,
    sql`with finished as (select unnest(${`{${stepIds.join(',')}}`}::bigint[]) as id),
      ${releaseDependentsSql(sql`finished`)}
      select id, task_id from released where status = 'ready' order by id`,
  );
  return rows.map((row) => ({ id: Number(row.id), taskId: Number(row.task_id) }));
}

export type StepFailure = {
  stepId: number;
  attempt: number;
  /** waiting_retry (with runAfterSeconds) or error. */
  nextStatus: 'waiting_retry' | 'error';
  runAfterSeconds: number;
  outcome: 'retryable_error' | 'permanent_error' | 'timeout' | 'worker_lost' | 'interrupted';
  errorClass: string;
  errorMessage: string;
  errorCode: string | null;
  httpStatus: number | null;
  durationMs: number | null;
  /** The attempt does not count against the retry limit (its service's circuit is open, or it was rate limited). */
  refundAttempt?: boolean;
  /** The service answered "too many requests": the step's rate_limited_since starts (or goes on); any other outcome ends it. */
  rateLimited?: boolean;
  details?: AttemptDetails;
};

/** The input record's fields for an attempt's details; none without them (jsonb_to_recordset reads null). */
function attemptDetailsInput(details: AttemptDetails | undefined) {
  return details === undefined
    ? {}
    : { request: details.request, response: details.response, service_calls: details.serviceCalls, logs: details.logs };
}

/** Sets the closed attempt's details from the input record `i` (see attemptDetailsInput). */
function attemptDetailsSetSql() {
  return sql`request = i.request, response = i.response, service_calls = coalesce(i.service_calls, 0), logs = i.logs`;
}

/**
 * Records failed attempts in one statement: each step goes to waiting_retry (claimable again after
 * `runAfterSeconds`) or to error; a step in error leaves the task's live count, which finishes the
 * task as error when nothing else can run. Outcomes for steps no longer running that attempt are ignored.
 */
export async function markStepsFailed(dbOrTx: DbOrTx, failures: readonly StepFailure[]): Promise<{ failed: number }> {
  if (failures.length === 0) {
    return { failed: 0 };
  }
  const input = JSON.stringify(
    failures.map((f) => ({
      id: f.stepId,
      attempt: f.attempt,
      next_status: f.nextStatus,
      run_after_seconds: f.runAfterSeconds,
      outcome: f.outcome,
      error_class: f.errorClass,
      error_message: f.errorMessage,
      error_code: f.errorCode,
      http_status: f.httpStatus,
      duration_ms: f.durationMs,
      refund_attempt: f.refundAttempt ?? false,
      rate_limited: f.rateLimited ?? false,
      ...attemptDetailsInput(f.details),
    })),
  );
  const [row] = await queryRows<{ failed: number }>(
    dbOrTx,
    sql`
    with input as (
      select * from jsonb_to_recordset(${input}::text::jsonb) as i(id bigint, attempt int, next_status text, run_after_seconds float8,
        outcome text, error_class text, error_message text, error_code text, http_status int, duration_ms int,
        refund_attempt boolean, rate_limited boolean, request jsonb, response jsonb, service_calls int, logs jsonb)
    ), stamp as materialized (
      -- One instant for the attempt's end, its error and the wait before the next one, read as the
      -- statement runs (see markStepsComplete).
      select clock_timestamp() as at
    ), failed as (
      update steps s set status = i.next_status,
        run_at = case when i.next_status = 'waiting_retry' then (select at from stamp) + make_interval(secs => i.run_after_seconds) else null end,
        last_error = jsonb_build_object('class', i.error_class, 'message', i.error_message, 'code', i.error_code,
          'http_status', i.http_status, 'attempt', i.attempt, 'outcome', i.outcome, 'at', (select at from stamp)),
        round_start_attempts = s.round_start_attempts + case when i.refund_attempt then 1 else 0 end,
        rate_limited_since = case when i.rate_limited then coalesce(s.rate_limited_since, (select at from stamp)) end,
        -- Waiting on: the clock keeps running from the round's first due time (a step claimed as it was released has none: its attempt's start).
        waiting_since = case when i.next_status = 'waiting_retry' then coalesce(s.waiting_since,
          (select a.started_at from step_attempts a where a.step_id = s.id and a.number = s.attempts), (select at from stamp)) end,
        lease_expires_at = null, worker_id = null, updated_at = now()
      from input i where s.id = i.id and s.status = 'in_progress' and s.attempts = i.attempt
      returning s.id, s.task_id, s.attempts, s.status
    ), closed_attempts as (
      update step_attempts a set finished_at = (select at from stamp), outcome = i.outcome, error_class = i.error_class,
        error_message = i.error_message, error_code = i.error_code, http_status = i.http_status,
        duration_ms = coalesce(i.duration_ms, (extract(epoch from (select at from stamp) - a.started_at) * 1000)::int),
        ${attemptDetailsSetSql()}
      from failed f join input i on i.id = f.id
      where a.step_id = f.id and a.number = f.attempts
    ), failed_transitions as (
      insert into transitions (task_id, step_id, from_status, to_status, reason, actor, attempt, details)
      select f.task_id, f.id, 'in_progress', f.status, i.outcome || ': ' || i.error_message, 'system', f.attempts,
        jsonb_build_object('error_class', i.error_class, 'error_code', i.error_code, 'http_status', i.http_status,
          'retry_in_seconds', case when f.status = 'waiting_retry' then i.run_after_seconds end,
          'attempt_not_counted', i.refund_attempt, 'rate_limited', i.rate_limited)
      from failed f join input i on i.id = f.id
    ), task_deltas as (
      select task_id, 0 as unfinished, -count(*)::int as live from failed where status = 'error' group by task_id
    ), updated_tasks as (
      ${updateTaskCountersSql()}
    ), task_transitions as (
      ${insertTaskFinishTransitionsSql()}
    ), changed as (
      select pg_notify(${TASKS_CHANGED_CHANNEL}, string_agg(distinct task_id::text, ',')) from failed having count(*) > 0
    )
    select (select count(*) from failed)::int as failed, (select count(*) from changed)::int as notified`,
    { prepare: true },
  );
  return { failed: row?.failed ?? 0 };
}

/**
 * Keeps the leases of the steps this worker still holds from running out. Rows another statement has
 * locked are skipped, not waited on: that statement is recording the step's outcome (or reclaiming an
 * expired lease), and a heartbeat that queued behind it, or deadlocked with it (both update the worker's
 * rows, in different orders), let every other lease run out and another worker run those steps again.
 */
export async function extendLeases(
  dbOrTx: DbOrTx,
  { stepIds, workerId, leaseSeconds }: { stepIds: number[]; workerId: string; leaseSeconds: number },
) {
  if (stepIds.length === 0) {
    return;
  }
  await dbOrTx.execute(
    sql`update steps set lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
        where id in (
          select id from steps
          where id = any(${`{${stepIds.join(',')}}`}::bigint[]) and status = 'in_progress' and worker_id = ${workerId}
          for update skip locked
        )`,
  );
}

export type ExpiredLease = {
  id: number;
  attempt: number;
  attemptsThisRound: number;
  retryLimit: number;
  retryable: boolean;
  workerId: string | null;
};

/** Locks up to `limit` running steps whose lease ran out (their worker died). Call inside a transaction. */
export async function lockExpiredLeases(dbOrTx: DbOrTx, limit: number): Promise<ExpiredLease[]> {
  const rows = await queryRows<{
    id: string | number;
    attempts: number;
    round_start_attempts: number;
    retry_limit: number;
    retryable: boolean;
    worker_id: string | null;
  }>(
    dbOrTx,
    sql`select id, attempts, round_start_attempts, retry_limit, retryable, worker_id from steps
        where status = 'in_progress' and lease_expires_at < now()
        order by lease_expires_at limit ${limit} for update skip locked`,
    { prepare: true },
  );
  return rows.map((row) => ({
    id: Number(row.id),
    attempt: row.attempts,
    attemptsThisRound: row.attempts - row.round_start_attempts,
    retryLimit: row.retry_limit,
    retryable: row.retryable,
    workerId: row.worker_id,
  }));
}

/** The steps of these tasks, by task, each task's in template order. */
export async function findStepsOfTasks(dbOrTx: DbOrTx, taskIds: readonly number[]) {
  if (taskIds.length === 0) {
    return [];
  }
  return dbOrTx
    .select()
    .from(steps)
    .where(inArray(steps.taskId, [...taskIds]))
    .orderBy(steps.taskId, steps.position);
}

export async function findDependenciesOfTask(dbOrTx: DbOrTx, stepIds: number[]) {
  if (stepIds.length === 0) {
    return [];
  }
  return dbOrTx.select().from(stepDependencies).where(inArray(stepDependencies.stepId, stepIds));
}

/** For each of these steps that others depend on: the ids of the steps that depend on it directly. */
export async function findDependentsByStep(dbOrTx: DbOrTx, stepIds: number[]): Promise<Map<number, number[]>> {
  const dependents = new Map<number, number[]>();
  for (const dependency of await findDependenciesOfTask(dbOrTx, stepIds)) {
    dependents.set(dependency.dependsOnStepId, [...(dependents.get(dependency.dependsOnStepId) ?? []), dependency.stepId]);
  }
  return dependents;
}

/** Cancels these steps: no longer due, leased or held by a worker. The caller writes their transitions. */
export async function markStepsCancelled(dbOrTx: DbOrTx, stepIds: number[]): Promise<void> {
  if (stepIds.length === 0) {
    return;
  }
  await dbOrTx
    .update(steps)
    .set({ status: 'cancelled', runAt: null, leaseExpiresAt: null, workerId: null, updatedAt: sql`now()` })
    .where(inArray(steps.id, stepIds));
}
