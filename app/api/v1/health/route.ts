import { sql } from 'drizzle-orm';
import { getRuntime } from '@/lib/orchestrator/host';

export const dynamic = 'force-dynamic';

// GET /api/v1/health: is the server up, and can it reach its database? No token needed.
export async function GET() {
  const runtime = await getRuntime();
  try {
    await runtime.database.db.execute(sql`select 1`);
  } catch {
    return Response.json(
      { status: 'unavailable', database: runtime.database.kind, orchestrator: runtime.orchestrator ? 'on' : 'off' },
      { status: 503 },
    );
  }
  return Response.json({ status: 'ok', database: runtime.database.kind, orchestrator: runtime.orchestrator ? 'on' : 'off' });
}
