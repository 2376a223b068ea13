import { createTasks } from '@/lib/actions/create-tasks';
import type { CreatedTasks } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { toTaskSummary } from '@/lib/reads/task-views';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/batch: create up to 1,000 tasks in one transaction, or none when any item is refused (422 by index).
export const POST = handleRoute(operations.createTasks, async (_request, { db, principal, body }) => {
  const items = await createTasks(
    db,
    body.tasks.map((task) => ({
      namespace: task.namespace,
      name: task.name,
      version: task.version,
      context: task.context,
      idempotencyKey: task.idempotency_key,
    })),
    { actor: principal.actor },
  );
  const answer: CreatedTasks = { items: items.map(({ index, task, created }) => ({ index, task: toTaskSummary(task), created })) };
  return Response.json(answer, { status: items.some((item) => item.created) ? 201 : 200 });
});
