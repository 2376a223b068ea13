import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { ERROR_SIGNATURE_KEY_EXPRESSION } from './error-signature';
import {
  ALERT_DELIVERY_STATES,
  ALERT_KINDS,
  CLAIMABLE_STEP_STATUSES,
  FAILED_STEP_STATUSES,
  REPAIRED_STEP_STATUSES,
  STEP_KINDS,
  STEP_STATUSES,
  TASK_STATUSES,
} from './statuses';
import { toSqlList } from './to-sql-list';

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();
const id = () => bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity();

/** One immutable row per saved version of a template; tasks pin the row they were created from. */
export const templateVersions = pgTable(
  'template_versions',
  {
    id: id(),
    namespace: text().notNull(),
    name: text().notNull(),
    version: text().notNull(),
    description: text(),
    yaml: text().notNull(),
    definition: jsonb().notNull(),
    contentHash: text().notNull(),
    createdBy: text().notNull().default('system'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('template_versions_identity').on(t.namespace, t.name, t.version)],
);
export type TemplateVersionRow = typeof templateVersions.$inferSelect;

export const tasks = pgTable(
  'tasks',
  {
    id: id(),
    templateVersionId: bigint({ mode: 'number' })
      .notNull()
      .references(() => templateVersions.id),
    namespace: text().notNull(),
    name: text().notNull(),
    version: text().notNull(),
    status: text().notNull().default('pending'),
    context: jsonb().notNull(),
    idempotencyKey: text(),
    /** sha256 of the creating request (namespace, name, version as asked, context as sent): the same key with another request is refused. */
    requestDigest: text(),
    identityKey: text(),
    correlationId: text().notNull(),
    /** Steps not yet complete, resolved_manually, skipped or cancelled: zero means the task is complete. */
    unfinishedSteps: integer().notNull(),
    /** Steps ready, in_progress or waiting_retry: zero with unfinished steps left means the task is stuck in error. */
    liveSteps: integer().notNull(),
    createdBy: text().notNull().default('system'),
    createdAt: createdAt(),
    updatedAt: createdAt(),
    completedAt: timestamp({ withTimezone: true }),
    /**
     * When an operator (or `on_failure: compensate`) first asked to undo the task's completed steps; null
     * otherwise. While set, the status rule says compensating / compensated instead of in_progress / complete.
     */
    compensationStartedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('tasks_idempotency_key')
      .on(t.namespace, t.name, t.idempotencyKey)
      .where(sql`idempotency_key is not null`),
    uniqueIndex('tasks_identity_key')
      .on(t.namespace, t.name, t.identityKey)
      .where(sql`identity_key is not null`),
    index('tasks_status_id').on(t.status, t.id),
    index('tasks_template_id').on(t.namespace, t.name, t.id),
    // Serves creation-time ranges, listed in (created_at, id) order.
    index('tasks_created_at').on(t.createdAt, t.id),
    check('tasks_status_check', sql`status in (${toSqlList(TASK_STATUSES)})`),
  ],
);
export type TaskRow = typeof tasks.$inferSelect;

export const steps = pgTable(
  'steps',
  {
    id: id(),
    taskId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    position: integer().notNull(),
    /** `step` (of the template) or `compensation` (undoes the step `compensates_step_id`; named `compensate.<step>`). */
    kind: text().notNull().default('step'),
    compensatesStepId: bigint({ mode: 'number' }).references((): AnyPgColumn => steps.id, { onDelete: 'cascade' }),
    /** Times an operator re-ran the finished step; part of its idempotency key when above zero, so the service acts again. */
    rerunRound: integer().notNull().default(0),
    handler: text().notNull(),
    handlerConfig: jsonb().notNull(),
    /** The service the step calls (handler_config.service), for circuit breaking and grouping. */
    service: text(),
    status: text().notNull(),
    retryable: boolean().notNull(),
    skippable: boolean().notNull(),
    retryLimit: integer().notNull(),
    timeoutSeconds: integer().notNull(),
    backoff: jsonb().notNull(),
    /** Dependencies not yet complete, resolved or skipped; the step becomes ready when it reaches zero. */
    pendingDependencies: integer().notNull(),
    /** Attempts ever started; the number of the latest attempt. */
    attempts: integer().notNull().default(0),
    /** `attempts` when an operator last retried the step: attempts - roundStartAttempts count against retryLimit. */
    roundStartAttempts: integer().notNull().default(0),
    /** When a ready or waiting_retry step may next be claimed. */
    runAt: timestamp({ withTimezone: true }),
    /**
     * When the service began answering this step with "too many requests" (429, or 503 with
     * Retry-After), while it still does; such attempts are not counted until `max_rate_limited_seconds`.
     */
    rateLimitedSince: timestamp({ withTimezone: true }),
    /**
     * When the step first became due in this round of waiting (its first claim, or its first failure when it
     * was claimed as it was released): the "stuck" clock (STUCK_AFTER_SECONDS). Kept across attempts, circuit
     * probes and circuit rounds; cleared when the step finishes or an operator retries it (a ready step
     * without it waits since its run_at). See lib/reads/waiting-reason-sql.ts.
     */
    waitingSince: timestamp({ withTimezone: true }),
    leaseExpiresAt: timestamp({ withTimezone: true }),
    workerId: text(),
    results: jsonb(),
    lastError: jsonb(),
    /** md5 of the failure's signature (db/error-signature.ts), written by PostgreSQL with last_error. */
    errorSignature: text().generatedAlwaysAs(sql.raw(ERROR_SIGNATURE_KEY_EXPRESSION)),
    startedAt: timestamp({ withTimezone: true }),
    completedAt: timestamp({ withTimezone: true }),
    updatedAt: createdAt(),
  },
  (t) => [
    uniqueIndex('steps_task_name').on(t.taskId, t.name),
    // Serves the ON DELETE CASCADE of compensates_step_id: without it, deleting a step (retention, a
    // task's delete) scans every step for the compensations that undo it, once per deleted step.
    index('steps_compensates_step_id')
      .on(t.compensatesStepId)
      .where(sql`compensates_step_id is not null`),
    // Serves the claim: ORDER BY run_at over exactly the claimable rows.
    index('steps_claimable_run_at')
      .on(t.runAt)
      .where(sql`status in (${toSqlList(CLAIMABLE_STEP_STATUSES)})`),
    // Serves the lease reaper.
    index('steps_lease_expires_at')
      .on(t.leaseExpiresAt)
      .where(sql`status = 'in_progress'`),
    // Serves the failures view and step filters (a failure group's step, status and signature) without
    // touching finished steps.
    index('steps_unhealthy')
      .on(t.name, t.status, t.errorSignature)
      .where(sql`status in (${toSqlList(FAILED_STEP_STATUSES)})`),
    // Serves task lists filtered by step status alone (`step_status=waiting_retry`): read backwards, it
    // yields the newest tasks with such a step from the index alone, so a page stops after 50.
    index('steps_unhealthy_task_id')
      .on(t.status, t.taskId)
      .where(sql`status in (${toSqlList(FAILED_STEP_STATUSES)})`),
    // Serves GET /tasks?repaired=true|false (and the task list's "completed with repairs" badge): the few
    // steps an operator resolved or skipped, by task; read backwards it yields the newest repaired tasks.
    index('steps_repaired_task_id')
      .on(t.taskId)
      .where(sql`status in (${toSqlList(REPAIRED_STEP_STATUSES)})`),
    check('steps_status_check', sql`status in (${toSqlList(STEP_STATUSES)})`),
    check('steps_kind_check', sql`kind in (${toSqlList(STEP_KINDS)})`),
  ],
);
export type StepRow = typeof steps.$inferSelect;

export const stepDependencies = pgTable(
  'step_dependencies',
  {
    dependsOnStepId: bigint({ mode: 'number' })
      .notNull()
      .references(() => steps.id, { onDelete: 'cascade' }),
    stepId: bigint({ mode: 'number' })
      .notNull()
      .references(() => steps.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.dependsOnStepId, t.stepId] }), index('step_dependencies_step_id').on(t.stepId)],
);
export type StepDependencyRow = typeof stepDependencies.$inferSelect;

/**
 * The Failures view's own index: one row per step in `error` of a task in `error`, and one per step in
 * `waiting_retry`. Written only by PostgreSQL triggers (db/migrations/0005_failing_steps.sql) in the
 * transaction that changes the step or the task, so that GET /failures reads these rows instead of
 * searching a million tasks and their steps. A row carries its task's steps (`partial`: the data the
 * services already hold); those of a task in error cannot change without the task row changing too. `select switchyard_rebuild_failing_steps()` writes them all afresh (after seeding).
 */
export const failingSteps = pgTable(
  'failing_steps',
  {
    stepId: bigint({ mode: 'number' })
      .primaryKey()
      .references(() => steps.id, { onDelete: 'cascade' }),
    taskId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    namespace: text().notNull(),
    name: text().notNull(),
    step: text().notNull(),
    status: text().notNull(),
    errorSignature: text().notNull(),
    /** When the step last failed (its last error's time). */
    failedAt: timestamp({ withTimezone: true }).notNull(),
    /** waiting_retry: the step's `waiting_since` (the "stuck" rule's clock; probes and circuit rounds do not move it). */
    retryingSince: timestamp({ withTimezone: true }),
    /**
     * The task's steps as [name, service, status, position], in position order: for an error row, as
     * they are; for a waiting_retry row, as of the step's latest failure. JSON kept as text: GET /failures
     * counts the distinct values, and text hashes far faster than jsonb.
     */
    partial: text().notNull(),
  },
  (t) => [
    index('failing_steps_task_id').on(t.taskId),
    // A group's latest failures (its sample tasks), newest first.
    index('failing_steps_group').on(t.namespace, t.name, t.step, t.status, t.errorSignature, t.failedAt),
    // Tasks that failed since a time (GET /tasks?failed_after, the overview's last hour).
    index('failing_steps_failed_at')
      .on(t.failedAt)
      .where(sql`status = 'error'`),
    check('failing_steps_status_check', sql`status in (${toSqlList(FAILED_STEP_STATUSES)})`),
  ],
);

/**
 * The values of each task's identity fields (the template's `identity.fields`, read from its context),
 * lowercased: GET /tasks?q=<an e-mail address> finds its task by an index lookup here instead of a
 * trigram search of every context. Kept by the database itself in the task's transaction
 * (db/migrations/0023_task-search-values.sql: switchyard_index_task_search_values, triggers on tasks),
 * removed with the task (ON DELETE CASCADE). Read by lib/reads/task-filter-sql.ts.
 */
export const taskSearchValues = pgTable(
  'task_search_values',
  {
    taskId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
    value: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.value] }), index('task_search_values_value').on(t.value, t.taskId)],
);

/**
 * Each task's context as JSON text, lowercased: what GET /tasks?q= searches when q is not an identity
 * value (`text LIKE lower('%q%')`, the same as `context::text ILIKE '%q%'`). Kept beside the task so that
 * a search reads text instead of printing each context's jsonb again (most of the ≈ 8 µs a row, when a
 * common q walks a few thousand tasks), with the trigram index task_search_text_trgm for rare q. Kept
 * and removed as task_search_values is (db/migrations/0024_task-search-text.sql).
 */
export const taskSearchText = pgTable('task_search_text', {
  taskId: bigint({ mode: 'number' })
    .primaryKey()
    .references(() => tasks.id, { onDelete: 'cascade' }),
  text: text().notNull(),
});

/** Append-only: one row per attempt, opened at claim and closed with its outcome. */
export const stepAttempts = pgTable(
  'step_attempts',
  {
    stepId: bigint({ mode: 'number' }).notNull(),
    number: integer().notNull(),
    taskId: bigint({ mode: 'number' }).notNull(),
    workerId: text().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    outcome: text().notNull().default('running'),
    errorClass: text(),
    errorMessage: text(),
    errorCode: text(),
    httpStatus: integer(),
    durationMs: integer(),
    /** The attempt's last service call as sent, secrets redacted and body cut (lib/engine/attempt-recorder.ts). */
    request: jsonb(),
    /** The answer to that call, redacted and cut the same way; null when none came. */
    response: jsonb(),
    /** Service calls the attempt made; `request` and `response` are the last one's. */
    serviceCalls: integer().notNull().default(0),
    /** The handler's log lines for this attempt, at most a fixed number, each cut. */
    logs: jsonb(),
  },
  (t) => [primaryKey({ columns: [t.stepId, t.number] })],
);
export type StepAttemptRow = typeof stepAttempts.$inferSelect;

/** Append-only audit trail of every change of state of a task or a step. */
export const transitions = pgTable(
  'transitions',
  {
    id: id(),
    taskId: bigint({ mode: 'number' }).notNull(),
    stepId: bigint({ mode: 'number' }),
    fromStatus: text(),
    toStatus: text().notNull(),
    reason: text().notNull(),
    actor: text().notNull().default('system'),
    attempt: integer(),
    details: jsonb(),
    createdAt: createdAt(),
  },
  (t) => [index('transitions_task_id').on(t.taskId)],
);
export type TransitionRow = typeof transitions.$inferSelect;

/** Circuit state per service, shared by every orchestrator process. */
export const serviceCircuits = pgTable(
  'service_circuits',
  {
    service: text().primaryKey(),
    state: text().notNull().default('closed'),
    consecutiveFailures: integer().notNull().default(0),
    openedAt: timestamp({ withTimezone: true }),
    openUntil: timestamp({ withTimezone: true }),
    lastFailureAt: timestamp({ withTimezone: true }),
    lastError: text(),
    updatedAt: createdAt(),
  },
  () => [check('service_circuits_state_check', sql`state in ('closed','open','half_open')`)],
);
export type ServiceCircuitRow = typeof serviceCircuits.$inferSelect;

/** Named API tokens; only a hash of the secret is kept. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    name: text().notNull(),
    role: text().notNull(),
    tokenHash: text().notNull(),
    createdBy: text().notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_tokens_hash').on(t.tokenHash),
    // Names are never reused, revoked tokens' included, and not in another case either: an actor in the audit trail names one token.
    uniqueIndex('api_tokens_name').on(sql`lower(${t.name})`),
    check('api_tokens_role_check', sql`role in ('viewer','operator','admin')`),
  ],
);
export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** Append-only record of every change of a circuit's state. */
export const serviceCircuitEvents = pgTable('service_circuit_events', {
  id: id(),
  service: text().notNull(),
  fromState: text(),
  toState: text().notNull(),
  reason: text().notNull(),
  /** Who changed it: `system` for the circuit breaker, the operator for Probe now / Close / Open. */
  actor: text().notNull().default('system'),
  createdAt: createdAt(),
});
export type ServiceCircuitEventRow = typeof serviceCircuitEvents.$inferSelect;

/**
 * Dashboard sign-ins: the cookie holds a random secret, of which only a hash is kept. A session made with
 * a named token ends when the token is revoked (the row goes with it). `credential_hash` is an HMAC keyed
 * by the token over the cookie's secret (lib/auth/secrets.ts): changing ADMIN_TOKEN ends the sessions
 * opened with it, and the table alone tells nothing about any token.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    sessionHash: text().notNull(),
    tokenId: bigint({ mode: 'number' }).references(() => apiTokens.id, { onDelete: 'cascade' }),
    credentialHash: text().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('sessions_hash').on(t.sessionHash), index('sessions_expires_at').on(t.expiresAt)],
);
export type SessionRow = typeof sessions.$inferSelect;

/**
 * Failed sign-ins and wrong bearer tokens per client address, shared by every web process on the
 * database (db/queries/auth-failures.ts, read and written by checkWithinLimit), so that N processes do not give an address N times the
 * tries. A row is forgotten (counted from zero again) an hour after its last failure.
 */
export const authFailures = pgTable(
  'auth_failures',
  {
    address: text().primaryKey(),
    failures: integer().notNull(),
    lastFailureAt: timestamp({ withTimezone: true }).notNull(),
    blockedUntil: timestamp({ withTimezone: true }),
  },
  (t) => [index('auth_failures_last_failure_at').on(t.lastFailureAt)],
);

/** The ceiling on failures from every address together (a token bucket): one row, id 1. */
export const authFailureAllowance = pgTable(
  'auth_failure_allowance',
  {
    id: integer().primaryKey(),
    allowance: doublePrecision().notNull(),
    refilledAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [check('auth_failure_allowance_one_row', sql`${t.id} = 1`)],
);

/**
 * Operator holds on a service (issue 16): while a row exists, no step of that service is claimed and none
 * spends an attempt. Shared by every process on the database; the row is the hold, its deletion the release.
 */
export const serviceHolds = pgTable('service_holds', {
  service: text().primaryKey(),
  reason: text().notNull(),
  heldBy: text().notNull(),
  heldAt: createdAt(),
});
export type ServiceHoldRow = typeof serviceHolds.$inferSelect;

/** Append-only audit of holds and releases: who, when, why. */
export const serviceHoldEvents = pgTable(
  'service_hold_events',
  {
    id: id(),
    service: text().notNull(),
    action: text().notNull(),
    reason: text().notNull(),
    actor: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('service_hold_events_service').on(t.service, t.id), check('service_hold_events_action_check', sql`action in ('hold','release')`)],
);
export type ServiceHoldEventRow = typeof serviceHoldEvents.$inferSelect;

/**
 * What the rate and concurrency limits of a service (SERVICE_<NAME>_RATE_PER_SECOND, _MAX_CONCURRENCY) have
 * used, shared by every process: the claim locks a service's row, reads it, and writes the starts it makes.
 * `recent_starts`: when calls started within the last window, oldest first. `in_flight`: `[step id, attempt, epoch]`
 * of the attempts started under the concurrency limit; an entry lapses once its step has moved on.
 */
export const serviceLimitUsage = pgTable('service_limit_usage', {
  service: text().primaryKey(),
  /** The limits the claiming processes were started with (the last one to start writes them); null: none. */
  ratePerSecond: doublePrecision(),
  maxConcurrency: integer(),
  recentStarts: timestamp({ withTimezone: true })
    .array()
    .notNull()
    .default(sql`'{}'`),
  inFlight: jsonb()
    .notNull()
    .default(sql`'[]'::jsonb`),
  updatedAt: createdAt(),
});
export type ServiceLimitUsageRow = typeof serviceLimitUsage.$inferSelect;

/**
 * The outbox of alerts: a row per failure group whose tasks changed, written by triggers on
 * failing_steps (db/migrations/0018_alert-events-triggers.sql) in the very transaction of the failure, retry or
 * resolution. The alert delivery (lib/engine/alert-delivery.ts) takes them, compares the group with
 * what the receiver was last told (alert_groups), and queues the messages (alert_deliveries).
 */
export const alertEvents = pgTable('alert_events', {
  id: id(),
  namespace: text().notNull(),
  name: text().notNull(),
  step: text().notNull(),
  status: text().notNull(),
  errorSignature: text().notNull(),
  createdAt: createdAt(),
});

/** Per failure group (as the Failures view groups them): what the alert receiver was last told, and when. */
export const alertGroups = pgTable(
  'alert_groups',
  {
    namespace: text().notNull(),
    name: text().notNull(),
    step: text().notNull(),
    status: text().notNull(),
    errorSignature: text().notNull(),
    /** The last message queued for the group: failing or resolved; null before the first. */
    notified: text(),
    /** When the last "failing" message was queued: the next waits ALERT_QUIET_SECONDS from it. */
    lastAlertedAt: timestamp({ withTimezone: true }),
    /** A group that failed again within the quiet time is looked at again then. */
    recheckAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.namespace, t.name, t.step, t.status, t.errorSignature] }),
    index('alert_groups_recheck_at')
      .on(t.recheckAt)
      .where(sql`recheck_at is not null`),
    check('alert_groups_notified_check', sql`notified in (${toSqlList(ALERT_KINDS)})`),
  ],
);
export type AlertGroupRow = typeof alertGroups.$inferSelect;

/** The alert messages, each POSTed once to ALERT_WEBHOOK_URL (retried with backoff while the receiver is down). */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: id(),
    kind: text().notNull(),
    namespace: text().notNull(),
    name: text().notNull(),
    step: text().notNull(),
    status: text().notNull(),
    errorSignature: text().notNull(),
    /** The JSON POSTed, as it was when the message was queued. */
    payload: jsonb().notNull(),
    state: text().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    nextAttemptAt: createdAt(),
    /** While `sending`: another process takes the row over once this has passed (the sender died). */
    leaseExpiresAt: timestamp({ withTimezone: true }),
    workerId: text(),
    /** The receiver's HTTP status on the last attempt; null when it did not answer. */
    responseStatus: integer(),
    lastError: text(),
    createdAt: createdAt(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    // Serves the claim: the few messages not yet delivered or given up.
    index('alert_deliveries_unsent')
      .on(t.nextAttemptAt)
      .where(sql`state in ('pending','sending')`),
    check('alert_deliveries_kind_check', sql`kind in (${toSqlList(ALERT_KINDS)})`),
    check('alert_deliveries_state_check', sql`state in (${toSqlList(ALERT_DELIVERY_STATES)})`),
  ],
);
export type AlertDeliveryRow = typeof alertDeliveries.$inferSelect;

/**
 * One row per bulk action an operator sent (POST /tasks/bulk/retry, not a dry run): who, why, and how many
 * tasks it changed. Its tasks are in bulk_action_tasks; GET /bulk-actions/{id} follows their progress.
 */
export const bulkActions = pgTable(
  'bulk_actions',
  {
    id: id(),
    action: text().notNull(),
    actor: text().notNull(),
    reason: text(),
    createdAt: createdAt(),
  },
  () => [check('bulk_actions_action_check', sql`action in ('retry','cancel','compensate')`)],
);
export type BulkActionRow = typeof bulkActions.$inferSelect;

/** The tasks a bulk action changed, written in the transaction that changed each one. */
export const bulkActionTasks = pgTable(
  'bulk_action_tasks',
  {
    bulkActionId: bigint({ mode: 'number' })
      .notNull()
      .references(() => bulkActions.id, { onDelete: 'cascade' }),
    taskId: bigint({ mode: 'number' })
      .notNull()
      .references(() => tasks.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.bulkActionId, t.taskId] }), index('bulk_action_tasks_task_id').on(t.taskId)],
);
