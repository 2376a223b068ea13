/**
 * The JSON shapes of /api/v1 (shared/API.md §5), read out of the schemas in lib/api/schemas/ that the
 * server validates with and the OpenAPI document prints: change a shape there, never here. Client-safe:
 * imports nothing from the server.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type {
  bulkRetryBodySchema,
  compensateTaskBodySchema,
  createTaskBodySchema,
  editContextBodySchema,
  holdServiceBodySchema,
  rerunStepBodySchema,
  resolveStepBodySchema,
  serviceModeBodySchema,
} from './schemas/request-schemas';
import type {
  alertDeliveryListSchema,
  alertDeliverySchema,
  apiTokenInfoSchema,
  apiTokenListSchema,
  attemptListSchema,
  attemptLogLineSchema,
  attemptRequestSchema,
  attemptResponseSchema,
  attemptSchema,
  bulkActionProgressSchema,
  bulkActionResultSchema,
  bulkRetryResultSchema,
  circuitSchema,
  compensateTaskResultSchema,
  compensationPlanEntrySchema,
  createdApiTokenSchema,
  createdTasksSchema,
  dagEdgeSchema,
  dagNodeSchema,
  dagSchema,
  errorSchema,
  failureGroupSchema,
  failureListSchema,
  healthSchema,
  overviewHourSchema,
  overviewSchema,
  overviewStuckTaskSchema,
  savedTemplateVersionSchema,
  serviceInfoSchema,
  serviceListSchema,
  sessionSchema,
  stepErrorSchema,
  stepSummarySchema,
  taskDetailSchema,
  taskListItemSchema,
  taskListSchema,
  taskSummarySchema,
  templateDetailSchema,
  templateListItemSchema,
  templateListSchema,
  templateTaskCountsSchema,
  templateUsageListSchema,
  templateValidationResultSchema,
  templateVersionDetailSchema,
  templateVersionSummarySchema,
  templateVersionUsageSchema,
  transitionListSchema,
  transitionSchema,
  waitingGroupSchema,
  waitingReasonSchema,
} from './schemas/response-schemas';
import type { taskFilterSchema } from './schemas/task-filter-schema';

// Answers.
export type ApiErrorBody = FromSchema<typeof errorSchema>;
export type Health = FromSchema<typeof healthSchema>;
export type StepError = FromSchema<typeof stepErrorSchema>;
export type StepSummary = FromSchema<typeof stepSummarySchema>;
export type TaskSummary = FromSchema<typeof taskSummarySchema>;
export type TaskDetail = FromSchema<typeof taskDetailSchema>;
export type CreatedTasks = FromSchema<typeof createdTasksSchema>;
export type TaskListItem = FromSchema<typeof taskListItemSchema>;
export type TaskList = FromSchema<typeof taskListSchema>;
export type Transition = FromSchema<typeof transitionSchema>;
export type TransitionList = FromSchema<typeof transitionListSchema>;
export type Attempt = FromSchema<typeof attemptSchema>;
export type AttemptList = FromSchema<typeof attemptListSchema>;
export type DagNode = FromSchema<typeof dagNodeSchema>;
export type DagEdge = FromSchema<typeof dagEdgeSchema>;
export type Dag = FromSchema<typeof dagSchema>;
export type BulkRetryResult = FromSchema<typeof bulkRetryResultSchema>;
export type BulkActionProgress = FromSchema<typeof bulkActionProgressSchema>;
export type BulkActionResult = FromSchema<typeof bulkActionResultSchema>;
export type CompensateTaskResult = FromSchema<typeof compensateTaskResultSchema>;
export type CompensationPlanEntry = FromSchema<typeof compensationPlanEntrySchema>;
export type FailureGroup = FromSchema<typeof failureGroupSchema>;
export type FailureList = FromSchema<typeof failureListSchema>;
export type WaitingGroup = FromSchema<typeof waitingGroupSchema>;
export type WaitingReason = FromSchema<typeof waitingReasonSchema>;
export type Overview = FromSchema<typeof overviewSchema>;
export type OverviewHour = FromSchema<typeof overviewHourSchema>;
export type AttemptRequest = FromSchema<typeof attemptRequestSchema>;
export type AttemptResponse = FromSchema<typeof attemptResponseSchema>;
export type AttemptLogLine = FromSchema<typeof attemptLogLineSchema>;
export type OverviewStuckTask = FromSchema<typeof overviewStuckTaskSchema>;
export type TemplateTaskCounts = FromSchema<typeof templateTaskCountsSchema>;
/** Counts of tasks by status; statuses without tasks are left out, except in Overview.tasks.by_status. */
export type TaskStatusCounts = TemplateTaskCounts['by_status'];
export type TemplateListItem = FromSchema<typeof templateListItemSchema>;
export type TemplateList = FromSchema<typeof templateListSchema>;
export type TemplateVersionSummary = FromSchema<typeof templateVersionSummarySchema>;
export type TemplateDetail = FromSchema<typeof templateDetailSchema>;
export type TemplateVersionDetail = FromSchema<typeof templateVersionDetailSchema>;
export type SavedTemplateVersion = FromSchema<typeof savedTemplateVersionSchema>;
export type TemplateValidationResult = FromSchema<typeof templateValidationResultSchema>;
export type TemplateVersionUsage = FromSchema<typeof templateVersionUsageSchema>;
export type TemplateUsageList = FromSchema<typeof templateUsageListSchema>;
export type ServiceInfo = FromSchema<typeof serviceInfoSchema>;
export type CircuitState = FromSchema<typeof circuitSchema>['state'];
export type ServiceList = FromSchema<typeof serviceListSchema>;
export type AlertDelivery = FromSchema<typeof alertDeliverySchema>;
export type AlertDeliveryList = FromSchema<typeof alertDeliveryListSchema>;
export type Session = FromSchema<typeof sessionSchema>;
export type ApiTokenInfo = FromSchema<typeof apiTokenInfoSchema>;
export type ApiTokenList = FromSchema<typeof apiTokenListSchema>;
export type CreatedApiToken = FromSchema<typeof createdApiTokenSchema>;

// Requests. Defaults count as given: the server fills them in before a route sees the value.
/** The filters of GET /tasks, bulk retry and a failure group, as JSON (lists are arrays). */
export type TaskFilter = FromSchema<typeof taskFilterSchema>;
export type ResolveStepBody = FromSchema<typeof resolveStepBodySchema>;
export type EditContextBody = FromSchema<typeof editContextBodySchema>;
export type ServiceModeBody = FromSchema<typeof serviceModeBodySchema>;
export type HoldServiceBody = FromSchema<typeof holdServiceBodySchema>;
/** What a client sends: fields with a default may be left out. */
export type CreateTaskRequest = FromSchema<typeof createTaskBodySchema, { keepDefaultedPropertiesOptional: true }>;
export type BulkRetryRequest = FromSchema<typeof bulkRetryBodySchema, { keepDefaultedPropertiesOptional: true }>;
/** POST /tasks/bulk/{retry|cancel|compensate}: the same body. */
export type BulkActionRequest = BulkRetryRequest;
export type CompensateTaskRequest = FromSchema<typeof compensateTaskBodySchema, { keepDefaultedPropertiesOptional: true }>;
export type RerunStepRequest = FromSchema<typeof rerunStepBodySchema, { keepDefaultedPropertiesOptional: true }>;

/**
 * The filters as the dashboard's URL carries them: every value a string, a list comma-separated
 * (`status=error,cancelled`). lib/api/task-filters.ts converts to and from TaskFilter.
 */
export type TaskFilters = { [K in keyof TaskFilter]?: string };
export type TaskListParams = TaskFilters & { limit?: number; cursor?: string };

/** One changed path of a context edit (in the transition's details.context_changes). */
export type ContextChange = { path: string; before?: unknown; after?: unknown };

/** The parts of GET /openapi.json the API docs page reads. */
export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  /** Each path's methods (operations) and shared parts (parameters), as the document has them. */
  paths: Record<string, Record<string, unknown>>;
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
