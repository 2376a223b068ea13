import type { TaskDetail } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateEditContextBody } from '@/lib/http/request-schemas';
import { editTaskContext } from '@/lib/actions/edit-task-context';

export const dynamic = 'force-dynamic';

// PATCH /api/v1/tasks/{taskId}/context: replace the context of a task in error (recorded with a diff), then retry its failed steps.
export const PATCH = handleRoute<{ taskId: string }>(
  async (request, { db, params, principal }) => {
    const { context, reason } = await readJsonBody(request, validateEditContextBody);
    const task = await editTaskContext(db, { taskId: params.taskId, context, reason, actor: principal.actor });
    return Response.json(task satisfies TaskDetail);
  },
  { role: 'operator' },
);
