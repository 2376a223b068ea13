import { isStillAuthenticated } from '@/lib/auth/is-still-authenticated';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { createTaskEventStream } from '@/lib/http/task-event-stream';

export const dynamic = 'force-dynamic';

// GET /api/v1/tasks/{taskId}/events: Server-Sent Events, `event: task` with the fresh task whenever it changes; ends when the caller's token or session does.
export const GET = handleRoute(operations.streamTaskEvents, async (request, { runtime, db, params, principal, log }) =>
  createTaskEventStream({
    database: runtime.database,
    taskId: params.taskId,
    request,
    log,
    isStillAuthenticated: () => isStillAuthenticated(request, { db, env: runtime.env, principal }),
  }),
);
