import type { TaskDetail } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { getTaskDetailOrThrow } from '@/lib/reads/get-task-detail';

export const dynamic = 'force-dynamic';

// GET /api/v1/tasks/{taskId}: the task with its steps, each naming the steps it depends on.
export const GET = handleRoute(operations.getTask, async (_request, { db, params }) =>
  Response.json((await getTaskDetailOrThrow(db, params.taskId)) satisfies TaskDetail),
);
