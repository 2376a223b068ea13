import type { BulkRetryResult } from '@/lib/api/types';
import { InvalidInputError } from '@/lib/errors';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { splitListStrings } from '@/lib/http/read-query';
import { taskFilterSchema, validateBulkRetryBody } from '@/lib/http/request-schemas';
import { bulkRetryTasks } from '@/lib/actions/bulk-retry-tasks';

export const dynamic = 'force-dynamic';

// A filter's lists may be comma-separated strings, as in GET /tasks's query string.
function validateBody(value: unknown) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, 'filter')) {
    const body = value as { filter: unknown };
    return validateBulkRetryBody({ ...body, filter: splitListStrings(body.filter, taskFilterSchema) });
  }
  return validateBulkRetryBody(value);
}

// POST /api/v1/tasks/bulk/retry: retry the error steps of many tasks, by filter or ids; dry_run only counts.
export const POST = handleRoute(
  async (request, { db, principal }) => {
    const body = await readJsonBody(request, validateBody);
    if ((body.filter === undefined) === (body.ids === undefined)) {
      throw new InvalidInputError([{ path: '', message: 'give either filter (the filters of GET /tasks) or ids, not both' }]);
    }
    const who = { actor: principal.actor, reason: body.reason, dryRun: body.dry_run };
    const result = body.ids ? await bulkRetryTasks(db, { ids: body.ids, ...who }) : await bulkRetryTasks(db, { filter: body.filter ?? {}, ...who });
    return Response.json(result satisfies BulkRetryResult);
  },
  { role: 'operator' },
);
