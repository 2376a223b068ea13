/** The JSON shapes of /api/v1 (shared/API.md §5). Client-safe: imports nothing from the server. */
import type { AttemptOutcome, StepStatus, TaskStatus } from '../statuses';

export type ApiErrorBody = { error: { code: string; message: string; details: { path: string; message: string; line?: number }[] } };

export type StepError = {
  class: string;
  message: string;
  code?: string | null;
  http_status?: number | null;
  attempt?: number;
  at?: string;
};

export type StepSummary = {
  id: string;
  name: string;
  handler: string;
  service: string | null;
  status: StepStatus;
  /** Attempts ever started (the number of the latest attempt). */
  attempts: number;
  /** Attempts counted against retry_limit since the step was last retried by an operator. */
  attempts_this_round: number;
  retry_limit: number;
  retryable: boolean;
  skippable: boolean;
  timeout_seconds: number;
  next_attempt_at: string | null;
  started_at: string | null;
  completed_at: string | null;
  results: unknown;
  last_error: StepError | null;
  depends_on: string[];
};

export type TaskSummary = {
  id: string;
  namespace: string;
  name: string;
  version: string;
  status: TaskStatus;
  context: Record<string, unknown>;
  correlation_id: string;
  idempotency_key: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
};

export type TaskDetail = TaskSummary & { steps: StepSummary[] };

export type TaskListItem = TaskSummary & {
  /** Steps that are not finished: the ones to look at (name and status). */
  open_steps: { name: string; status: StepStatus; attempts: number }[];
  step_count: number;
  steps_done: number;
};

export type TaskList = { items: TaskListItem[]; next_cursor: string | null };

export type Transition = {
  id: string;
  task_id: string;
  step_id: string | null;
  step_name: string | null;
  from_status: string | null;
  to_status: string;
  reason: string;
  actor: string;
  attempt: number | null;
  details: unknown;
  created_at: string;
};

export type Attempt = {
  number: number;
  worker_id: string;
  started_at: string;
  finished_at: string | null;
  outcome: AttemptOutcome;
  error: { class: string | null; message: string | null; code: string | null } | null;
  http_status: number | null;
  duration_ms: number | null;
};

export type DagNode = { id: string; label: string; handler: string; service: string | null };
export type DagEdge = { source: string; target: string };
export type Dag = { nodes: DagNode[]; edges: DagEdge[] };

export type TemplateListItem = {
  namespace: string;
  name: string;
  version: string;
  description: string | null;
  step_count: number;
  active: boolean;
  versions: string[];
};
