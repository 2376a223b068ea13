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

export type TaskDetail = TaskSummary & {
  /** How many audit rows the task had when it was read: of two reads of a task, the larger is the newer. */
  revision: string;
  steps: StepSummary[];
};

export type TaskListItem = TaskSummary & {
  /** In a list, `context` is a preview (at most ≈ 1.5 KB: long strings cut, deep or large parts left out); GET /tasks/{id} has it whole. */
  context_truncated: boolean;
  /** Steps that are not finished: the ones to look at (name and status). */
  open_steps: { name: string; status: StepStatus; attempts: number }[];
  step_count: number;
  steps_done: number;
  /** Unfinished steps in all; `open_steps` names at most 25 of them, the most urgent first. */
  open_step_count?: number;
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
  /** When the newest version was saved. */
  updated_at?: string;
};

/** The filters of GET /tasks (shared/API.md §5), as strings the way the query string carries them. */
export type TaskFilters = {
  status?: string;
  namespace?: string;
  name?: string;
  step?: string;
  step_status?: string;
  /** A failure group's signature (GET /failures): tasks failing exactly that way. */
  error_signature?: string;
  q?: string;
  created_after?: string;
  created_before?: string;
  /** Tasks in error that failed at or after this time (a step failed for good then). */
  failed_after?: string;
  retrying_before?: string;
};

export type TaskListParams = TaskFilters & { limit?: number; cursor?: string };

export type BulkRetryBody = ({ filter: TaskFilters } | { ids: string[] }) & { dry_run: boolean; reason?: string };

export type BulkRetryResult = {
  dry_run: boolean;
  /** Tasks the retry touches (or would). */
  tasks: number;
  /** Steps it moves back to ready (or would), counted by step name. */
  steps: { name: string; count: number }[];
  task_ids?: string[];
  /** Matching tasks left out, e.g. over the cap of one request. */
  truncated?: boolean;
  limit?: number;
  /** Tasks that matched but had changed by the time their turn came (finished, or nothing left to retry). */
  skipped?: number;
};

export type FailureGroup = {
  namespace: string;
  name: string;
  step: string;
  /** Error code or class, HTTP status and normalised message, joined: stable across occurrences. */
  signature: string;
  error_class: string | null;
  error_code: string | null;
  http_status: number | null;
  message: string;
  /** error: failed for good; waiting_retry: stuck retrying. */
  step_status: string;
  count: number;
  first_seen: string;
  last_seen: string;
  sample_error: StepError | null;
  sample_task_id: string | null;
  /**
   * For each step of the template: how many of the group's tasks have it done (i.e. its service holds
   * the data). Exact for tasks in error; for steps waiting to retry, as of each one's latest failure.
   */
  partial_state: { step: string; service: string | null; status_counts: Record<string, number> }[];
  /** A short key of `signature` (md5 hex): the `error_signature` filter of GET /tasks and bulk retry. */
  error_signature: string;
  /** Up to 10 of the group's tasks, the most recent failure first. */
  sample_task_ids: string[];
  /** The filters that select exactly this group: for GET /tasks and POST /tasks/bulk/retry {filter}. */
  filter: TaskFilters;
};

export type FailureList = { groups: FailureGroup[]; generated_at?: string; stuck_after_minutes?: number };

export type CircuitState = 'closed' | 'open' | 'half_open';

export type ServiceInfo = {
  name: string;
  url: string | null;
  demo: boolean;
  /** The demo service's current behaviour; null for a real service. */
  mode: string | null;
  latency_ms?: number | null;
  failure_rate?: number | null;
  retry_after_seconds?: number | null;
  calls?: number | null;
  records?: number | null;
  circuit: {
    state: CircuitState;
    failures?: number;
    opened_at?: string | null;
    retry_at?: string | null;
    last_failure_at?: string | null;
    last_error?: string | null;
  } | null;
  /** Steps waiting for this service's circuit to close. */
  waiting_steps?: number;
};

export type ServiceList = { services: ServiceInfo[] };

export type DemoServiceModeBody = {
  mode: 'up' | 'down' | 'slow' | 'flaky' | 'rate_limited' | 'reject';
  latency_ms?: number;
  failure_rate?: number;
  retry_after_seconds?: number;
};

export type Session = { mode: 'local' | 'token'; actor: string | null; role: string | null };

export type TemplateVersionSummary = {
  version: string;
  description?: string | null;
  step_count?: number;
  created_at?: string;
  created_by?: string;
  active?: boolean;
};

export type TemplateDetail = {
  namespace: string;
  name: string;
  description?: string | null;
  versions: (TemplateVersionSummary | string)[];
  dag: Dag;
  version?: string;
};

export type TemplateVersionDetail = {
  namespace?: string;
  name?: string;
  version?: string;
  yaml: string;
  definition: unknown;
  dag: Dag;
  description?: string | null;
  created_at?: string;
  created_by?: string;
  /** The newest version: the one a task gets when it names none. */
  active?: boolean;
};

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation | unknown>>;
  components?: { schemas?: Record<string, unknown> };
};

export type OpenApiOperation = {
  summary?: string;
  description?: string;
  operationId?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
};

export type TemplateList = { items: TemplateListItem[] };

/** POST /templates/validate; `errors` carry the YAML line. `dag` is drawn whenever the steps can be read. */
export type TemplateValidationResult = { valid: boolean; errors: { path: string; message: string; line?: number }[]; dag: Dag | null };

/** POST /templates: 201 with created true, or 200 when the same content was already saved. */
export type SavedTemplateVersion = TemplateVersionDetail & { created: boolean };

export type TransitionList = { items: Transition[] };

export type AttemptList = { items: Attempt[] };

/** One changed path of a context edit (in the transition's details.context_changes). */
export type ContextChange = { path: string; before?: unknown; after?: unknown };

export type ApiTokenInfo = {
  id: string;
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  active: boolean;
};

export type ApiTokenList = { items: ApiTokenInfo[] };

/** POST /tokens: the secret is shown this once; only its hash is stored. */
export type CreatedApiToken = { token: ApiTokenInfo; secret: string };

export type Health = { status: 'ok' | 'unavailable'; database: 'pglite' | 'postgres'; orchestrator: 'on' | 'off' };

/** Counts of tasks by status; statuses without tasks are left out, except in Overview.tasks.by_status. */
export type TaskStatusCounts = Partial<Record<TaskStatus, number>>;

export type TemplateTaskCounts = { namespace: string; name: string; total: number; by_status: TaskStatusCounts };

/** One hour of GET /overview's histogram: tasks created in [start, start + 1 h), as they are now. */
export type OverviewHour = { start: string; total: number; by_status: TaskStatusCounts; by_template: TemplateTaskCounts[] };

/**
 * GET /overview: exact figures of the whole database, read at most every 4 s and shared by the callers
 * in between. `tasks` is the snapshot GET /metrics shows, read at `counts_read_at`; the rest was read at
 * `generated_at`.
 */
export type Overview = {
  generated_at: string;
  counts_read_at: string;
  tasks: { total: number; by_status: Record<TaskStatus, number>; by_template: TemplateTaskCounts[] };
  /** Tasks created in each of the last 24 hours (UTC hours, the current one last), by status and template. */
  created_per_hour: { since: string; until: string; total: number; hours: OverviewHour[] };
  failed: { tasks: number; last_hour: number; last_hour_since: string };
  waiting_retry: { tasks: number; steps: number };
  running: { tasks: number };
  /** An in_progress task counts as stuck once it has not changed for this long. */
  stuck_after_minutes: number;
  oldest_stuck: OverviewStuckTask | null;
};

/** The oldest unfinished task that needs someone: in error, or in_progress without change for stuck_after_minutes. */
export type OverviewStuckTask = {
  id: string;
  namespace: string;
  name: string;
  version: string;
  status: 'error' | 'in_progress';
  created_at: string;
  /** When the task last changed: since then it has waited. */
  stuck_since: string;
  /** The step to look at: a failed one, else the one retrying, running or ready. */
  step: { name: string; status: StepStatus } | null;
};
