import { STEP_STATUSES, TASK_STATUSES } from '../../statuses';

/** Template, step and service names (shared/API.md §3); lib/templates/template-schema.ts checks the same (a test keeps them equal). */
export const NAME_PATTERN = '^[a-z0-9_]+$';
export const name = { type: 'string', minLength: 1, maxLength: 100, pattern: NAME_PATTERN } as const;

/** An ISO 8601 date or date-time (UTC unless a zone is given), as the API's time filters take it. */
export const TIMESTAMP_PATTERN = '^\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}:?\\d{2})?)?$';
const timestamp = { type: 'string', maxLength: 40, pattern: TIMESTAMP_PATTERN } as const;

/**
 * The filters of GET /tasks: its query string, bulk retry's `filter`, and the `filter` of each group of
 * GET /failures. This is the one definition; the SQL (lib/reads/task-filter-sql.ts), the types and the
 * dashboard's filter bar (lib/api/task-filters.ts) are read from it. In a query string a list is given
 * comma-separated or repeated; in a JSON body as an array (a comma-separated string is accepted too).
 */
export const taskFilterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'array',
      maxItems: TASK_STATUSES.length,
      uniqueItems: true,
      items: { enum: TASK_STATUSES },
      description: 'Task statuses (any of).',
    },
    namespace: { ...name, description: "The template's namespace." },
    name: { ...name, description: "The template's name." },
    step: { ...name, description: 'Tasks having a step of this name (with step_status: in that status).' },
    step_status: {
      type: 'array',
      maxItems: STEP_STATUSES.length,
      uniqueItems: true,
      items: { enum: STEP_STATUSES },
      description: 'Tasks having a step (named `step`, when given) in one of these statuses.',
    },
    error_signature: {
      type: 'string',
      pattern: '^[0-9a-f]{32}$',
      description: 'Tasks having a failing step with this error signature (a failure group of GET /failures).',
    },
    q: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description:
        'Text inside the context, such as an e-mail address (case-insensitive). When it is the whole value of an identity field of some task (the e-mail address of a registration), the tasks with that value (an index lookup; tasks that hold it only inside a longer text are left out); otherwise every task whose context text contains it.',
    },
    created_after: { ...timestamp, description: 'Created at or after this time (ISO 8601 date or date-time; UTC unless a zone is given).' },
    created_before: { ...timestamp, description: 'Created before this time.' },
    failed_after: { ...timestamp, description: 'Tasks in error having a step that failed for good at or after this time.' },
    repaired: {
      type: 'boolean',
      description:
        'true: tasks having a step an operator resolved or skipped (with status=complete: "completed with repairs"); false: tasks having none.',
    },
    bulk_action: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,14}$',
      description: 'The tasks a bulk action changed (its id, as POST /tasks/bulk/retry answers it in bulk_action_id).',
    },
    retrying_before: {
      ...timestamp,
      description:
        'Tasks having a step waiting to retry whose current round of attempts began before this time (stuck); a stuck group of GET /failures names its cut-off here.',
    },
  },
} as const;
