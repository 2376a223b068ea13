import type { TaskDetail } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateActionBody } from '@/lib/http/request-schemas';
import { cancelTask } from '@/lib/actions/cancel-task';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/cancel: cancel the task and its unfinished steps; 202, a running attempt stops shortly after.
export const POST = handleRoute<{ taskId: string }>(
  async (request, { db, params, principal }) => {
    const { reason } = await readJsonBody(request, validateActionBody, { optional: true });
    await cancelTask(db, { taskId: params.taskId, actor: principal.actor, reason });
    return Response.json((await getTaskDetailOrThrow(db, params.taskId)) satisfies TaskDetail, { status: 202 });
  },
  { role: 'operator' },
);
