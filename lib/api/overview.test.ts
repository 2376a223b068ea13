import { describe, expect, it } from 'vitest';
import type { TaskListItem } from './types';
import { summarizeOverview } from './overview';

const now = new Date('2024-05-01T12:30:00.000Z');
let id = 0;
function task(status: TaskListItem['status'], createdAt: string, updatedAt = createdAt, name = 'user_registration', open: TaskListItem['open_steps'] = []): TaskListItem {
  id += 1;
  return {
    id: String(id),
    namespace: 'blog_examples',
    name,
    version: '1.0.0',
    status,
    context: {},
    correlation_id: 'c',
    idempotency_key: null,
    created_by: 'system',
    created_at: createdAt,
    updated_at: updatedAt,
    completed_at: null,
    open_steps: open,
    step_count: 5,
    steps_done: 0,
  };
}
const scan = (items: TaskListItem[], capped = false) => ({ items, capped });

describe('summarizeOverview', () => {
  it('counts the last day by status, template and hour, and finds what is failing and stuck', () => {
    const recent = [
      task('complete', '2024-05-01T12:10:00.000Z'),
      task('error', '2024-05-01T12:05:00.000Z', '2024-05-01T12:06:00.000Z'),
      task('in_progress', '2024-05-01T10:15:00.000Z', '2024-05-01T10:16:00.000Z', 'customer_onboarding_http'),
      task('complete', '2024-04-30T13:00:00.000Z'),
    ];
    const oldFailure = task('error', '2024-04-29T08:00:00.000Z', '2024-04-29T08:01:00.000Z');
    const overview = summarizeOverview(
      {
        recent: scan(recent),
        failed: scan([recent[1]!, oldFailure]),
        waiting: scan([task('in_progress', '2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00.000Z', 'x', [{ name: 'a', status: 'waiting_retry', attempts: 2 }])], true),
        running: scan([recent[2]!]),
      },
      now,
    );
    expect(overview.counts).toMatchObject({ scope: 'last_24h', byStatus: { complete: 2, error: 1, in_progress: 1, pending: 0 } });
    expect(overview.counts.byTemplate.map((item) => [item.name, item.total])).toEqual([
      ['user_registration', 3],
      ['customer_onboarding_http', 1],
    ]);
    expect(overview.recent.buckets).toHaveLength(24);
    expect(overview.recent.buckets.at(-1)).toMatchObject({ start: '2024-05-01T12:00:00.000Z', total: 2 });
    expect(overview.recent.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(4);
    expect(overview.failed).toMatchObject({ count: 2, lastHour: 1, capped: false });
    expect(overview.waitingRetry).toMatchObject({ count: 1, steps: 1, capped: true });
    expect(overview.oldestStuck?.id).toBe(oldFailure.id);
  });

  it('takes exact counts from the metrics gauges when it has them', () => {
    const metrics = [
      '# TYPE switchyard_tasks gauge',
      'switchyard_tasks{namespace="blog_examples",name="user_registration",status="complete"} 99000',
      'switchyard_tasks{namespace="blog_examples",name="user_registration",status="error"} 47',
      'switchyard_tasks{namespace="onboarding",name="customer_onboarding_http",status="in_progress"} 3',
      'switchyard_steps{status="waiting_retry"} 12',
    ].join('\n');
    const overview = summarizeOverview({ recent: scan([], true), failed: scan([], true), waiting: scan([]), running: scan([]) }, now, metrics);
    expect(overview.counts).toMatchObject({ scope: 'all', capped: false, byStatus: { complete: 99000, error: 47, in_progress: 3 } });
    expect(overview.counts.byTemplate.map((item) => [item.name, item.total])).toEqual([
      ['user_registration', 99047],
      ['customer_onboarding_http', 3],
    ]);
    expect(overview.failed).toMatchObject({ count: 47, capped: false });
    expect(overview.running).toEqual({ count: 3, capped: false });
    expect(overview.waitingRetry.steps).toBe(12);
  });

  it('has nothing stuck when nothing failed and running tasks move', () => {
    const running = task('in_progress', '2024-05-01T12:29:00.000Z', '2024-05-01T12:29:30.000Z');
    const overview = summarizeOverview({ recent: scan([running]), failed: scan([]), waiting: scan([]), running: scan([running]) }, now);
    expect(overview.oldestStuck).toBeNull();
  });
});
