import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { collectMetrics } from '@/lib/metrics/collect-metrics';

export const dynamic = 'force-dynamic';

// GET /api/v1/metrics: Prometheus metrics of tasks, steps, attempts, circuits and API requests.
export const GET = handleRoute(operations.getMetrics, async (_request, { db, runtime }) => {
  const { contentType, text } = await collectMetrics(db, { stuckAfterSeconds: runtime.env.stuckAfterSeconds });
  return new Response(text, { headers: { 'Content-Type': contentType } });
});
