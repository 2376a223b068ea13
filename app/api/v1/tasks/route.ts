import { createTask } from '@/lib/actions/create-task';
import type { TaskDetail, TaskList } from '@/lib/api/types';
import { InvalidInputError, type ErrorDetail } from '@/lib/errors';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTaskDetailReadTogetherOrThrow } from '@/lib/reads/get-task-detail';
import { listTasks } from '@/lib/reads/list-tasks';

export const dynamic = 'force-dynamic';

const HEADER_VALUE = /^[\x21-\x7e]+$/;

function readOptionalHeader(request: Request, name: string, maxLength: number, problems: ErrorDetail[]): string | undefined {
  const value = request.headers.get(name)?.trim();
  if (value === undefined || value === '') {
    return undefined;
  }
  if (value.length > maxLength || !HEADER_VALUE.test(value)) {
    problems.push({ path: `/headers/${name.toLowerCase()}`, message: `must be 1 to ${maxLength} visible ASCII characters` });
  }
  return value;
}

// GET /api/v1/tasks: tasks matching the filters, newest first, one page at a time (keyset cursor).
export const GET = handleRoute(operations.listTasks, async (_request, { db, query }) =>
  Response.json((await listTasks(db, query)) satisfies TaskList),
);

// POST /api/v1/tasks: create a task of a template; 201, or 200 with the task its idempotency key or identity already made.
export const POST = handleRoute(operations.createTask, async (request, { db, principal, body }) => {
  const problems: ErrorDetail[] = [];
  const headerKey = readOptionalHeader(request, 'Idempotency-Key', 255, problems);
  const correlationId = readOptionalHeader(request, 'X-Correlation-ID', 200, problems);
  if (headerKey !== undefined && body.idempotency_key !== undefined && headerKey !== body.idempotency_key) {
    problems.push({ path: '/idempotency_key', message: 'differs from the Idempotency-Key header' });
  }
  if (problems.length > 0) {
    throw new InvalidInputError(problems);
  }
  const { task, created } = await createTask(db, {
    namespace: body.namespace,
    name: body.name,
    version: body.version,
    context: body.context,
    idempotencyKey: body.idempotency_key ?? headerKey,
    correlationId,
    actor: principal.actor,
  });
  const detail = await getTaskDetailReadTogetherOrThrow(db, task.id);
  return Response.json(detail satisfies TaskDetail, { status: created ? 201 : 200, headers: { Location: `/api/v1/tasks/${detail.id}` } });
});
