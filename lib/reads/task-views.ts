import type { StepRow, TaskRow } from '../../db/schema';
import type { StepError, StepSummary, TaskSummary } from '../api/types';
import { compensatedStepName } from '../compensation-step-name';
import type { StepKind, StepStatus, TaskStatus } from '../statuses';

/** Database rows → the JSON shapes of /api/v1 (lib/api/types.ts): ids as strings, times as ISO 8601 UTC. */

export function toIso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function toTaskSummary(row: TaskRow): TaskSummary {
  return {
    id: String(row.id),
    namespace: row.namespace,
    name: row.name,
    version: row.version,
    status: row.status as TaskStatus,
    context: row.context as Record<string, unknown>,
    correlation_id: row.correlationId,
    idempotency_key: row.idempotencyKey,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    completed_at: toIso(row.completedAt),
  };
}

export function toStepSummary(row: StepRow, dependsOn: string[], resultsSchema: Record<string, unknown> | null = null): StepSummary {
  const status = row.status as StepStatus;
  return {
    id: String(row.id),
    name: row.name,
    handler: row.handler,
    service: row.service,
    status,
    attempts: row.attempts,
    attempts_this_round: row.attempts - row.roundStartAttempts,
    retry_limit: row.retryLimit,
    retryable: row.retryable,
    skippable: row.skippable,
    timeout_seconds: row.timeoutSeconds,
    next_attempt_at: status === 'ready' || status === 'waiting_retry' ? toIso(row.runAt) : null,
    started_at: toIso(row.startedAt),
    completed_at: toIso(row.completedAt),
    results: row.results ?? null,
    last_error: (row.lastError as StepError | null) ?? null,
    kind: row.kind as StepKind,
    compensates: row.kind === 'compensation' ? compensatedStepName(row.name) : null,
    rerun_round: row.rerunRound,
    depends_on: dependsOn,
    // Read with the step by getTaskDetailOrThrow (lib/reads/waiting-reason-sql.ts decides it).
    waiting_reason: null,
    results_schema: resultsSchema,
  };
}
