import type { TaskDetail } from '@/lib/api/types';
import { handleRoute } from '@/lib/http/handle-route';
import { readJsonBody } from '@/lib/http/read-json-body';
import { validateActionBody } from '@/lib/http/request-schemas';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';
import { retryTask } from '@/lib/actions/retry-task';

export const dynamic = 'force-dynamic';

// POST /api/v1/tasks/{taskId}/retry: every error step of the task back to ready.
export const POST = handleRoute<{ taskId: string }>(
  async (request, { db, params, principal }) => {
    const { reason } = await readJsonBody(request, validateActionBody, { optional: true });
    await retryTask(db, { taskId: params.taskId, actor: principal.actor, reason });
    return Response.json((await getTaskDetailOrThrow(db, params.taskId)) satisfies TaskDetail);
  },
  { role: 'operator' },
);
