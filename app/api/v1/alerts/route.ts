import type { AlertDeliveryList } from '@/lib/api/types';
import { describeReceiver } from '@/lib/engine/alert-delivery';
import { operations } from '@/lib/http/api-operations';
import { handleRoute } from '@/lib/http/handle-route';
import { listAlertDeliveries } from '@/lib/reads/list-alert-deliveries';

export const dynamic = 'force-dynamic';

// GET /api/v1/alerts: the latest alert messages and their outcome, with where alerts go (the webhook's host only).
export const GET = handleRoute(operations.listAlerts, async (_request, { db, runtime }) => {
  const { alertWebhookUrl, alertQuietSeconds } = runtime.env;
  return Response.json({
    enabled: alertWebhookUrl !== undefined,
    receiver: alertWebhookUrl === undefined ? null : describeReceiver(alertWebhookUrl),
    quiet_seconds: alertQuietSeconds,
    deliveries: await listAlertDeliveries(db),
  } satisfies AlertDeliveryList);
});
