import { sql } from 'drizzle-orm';
import type { Health } from '@/lib/api/types';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';

export const dynamic = 'force-dynamic';

// GET /api/v1/health: is the server up, and can it reach its database? No token needed.
export const GET = handleRoute(operations.getHealth, async (_request, { runtime, log }) => {
  const base = { database: runtime.database.kind, orchestrator: runtime.orchestrator ? 'on' : 'off' } as const;
  try {
    await runtime.database.db.execute(sql`select 1`);
  } catch (error) {
    log.error({ err: error }, 'health check: the database cannot be reached');
    return Response.json({ status: 'unavailable', ...base } satisfies Health, { status: 503 });
  }
  return Response.json({ status: 'ok', ...base } satisfies Health);
});
