import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import type { Orchestrator } from '../engine/runner';
import { createFailedSignups, saveSignupTemplate } from '../testing/failure-fixtures';
import { collectMetrics } from './collect-metrics';

const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

function readValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) {
      continue;
    }
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) {
      continue;
    }
    const present = (match[2] ?? '').split(',');
    if (wanted.every((label) => present.includes(label)) && present.filter(Boolean).length === wanted.length) {
      return Number(match[3]);
    }
  }
  return 0;
}

describeEachDatabase('metrics', (suite) => {
  it('shows tasks, queues, circuits, and counts attempts and tasks since the previous scrape', async () => {
    const { database } = suite;
    const { db } = database;
    await saveSignupTemplate(database);
    const fresh = { maxAgeMs: 0 };
    const first = (await collectMetrics(db, fresh)).text;
    const template = { namespace: 'tests', name: 'signup' };
    const counted = (text: string, name: string, labels: Record<string, string>) => readValue(text, name, labels) - readValue(first, name, labels);

    await createFailedSignups(database, ['m1@example.com', 'm2@example.com'], running);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const { contentType, text } = await collectMetrics(db, fresh);
    expect(contentType).toMatch(/^text\/plain/);
    expect(readValue(text, 'switchyard_tasks', { ...template, status: 'error' })).toBe(2);
    expect(counted(text, 'switchyard_tasks_created_total', template)).toBe(2);
    expect(counted(text, 'switchyard_tasks_finished_total', { ...template, status: 'error' })).toBe(2);
    expect(counted(text, 'switchyard_step_attempts_total', { ...template, step: 'billing', outcome: 'permanent_error' })).toBe(2);
    expect(counted(text, 'switchyard_step_attempts_total', { ...template, step: 'user', outcome: 'complete' })).toBe(2);
    expect(counted(text, 'switchyard_step_attempt_duration_seconds_count', { ...template, step: 'preferences', outcome: 'complete' })).toBe(2);
    expect(readValue(text, 'switchyard_steps', { status: 'ready' })).toBe(0);
    expect(readValue(text, 'switchyard_oldest_ready_step_age_seconds')).toBe(0);
    expect(text).toContain('process_cpu_user_seconds_total');

    // Counted once: a second scrape adds nothing.
    const again = (await collectMetrics(db, fresh)).text;
    expect(counted(again, 'switchyard_tasks_created_total', template)).toBe(2);

    await db.execute(sql`update steps set status = 'ready', run_at = now() - interval '30 seconds' where name = 'welcome'`);
    await db.execute(
      sql`insert into service_circuits (service, state, consecutive_failures, opened_at, open_until) values ('billing', 'open', 5, now(), now() + interval '1 minute')`,
    );
    // Within its maximum age (4 s by default) a scrape takes the figures just read, without reading.
    const shared = (await collectMetrics(db)).text;
    expect(readValue(shared, 'switchyard_steps', { status: 'ready' })).toBe(0);
    const later = (await collectMetrics(db, fresh)).text;
    expect(readValue(later, 'switchyard_steps', { status: 'ready' })).toBe(2);
    expect(readValue(later, 'switchyard_oldest_ready_step_age_seconds')).toBeGreaterThanOrEqual(30);
    expect(readValue(later, 'switchyard_service_circuit_state', { service: 'billing', state: 'open' })).toBe(1);
    expect(readValue(later, 'switchyard_service_circuit_state', { service: 'billing', state: 'closed' })).toBe(0);
    expect(readValue(later, 'switchyard_service_circuit_consecutive_failures', { service: 'billing' })).toBe(5);
  });

  it('shows holds, limits and what the limits use (issue 16)', async () => {
    const { db } = suite.database;
    await db.execute(sql`insert into service_holds (service, reason, held_by) values ('billing', 'deploy', 'ops')`);
    await db.execute(
      sql`insert into service_limit_usage (service, rate_per_second, max_concurrency, recent_starts)
          values ('notification', 2, 3, array[clock_timestamp(), clock_timestamp() - interval '5 seconds']), ('user', null, 1, '{}')`,
    );
    const text = (await collectMetrics(db, { maxAgeMs: 0 })).text;
    expect(readValue(text, 'switchyard_service_held', { service: 'billing' })).toBe(1);
    expect(readValue(text, 'switchyard_service_held', { service: 'user' })).toBe(0);
    expect(readValue(text, 'switchyard_service_rate_limit_per_second', { service: 'notification' })).toBe(2);
    expect(readValue(text, 'switchyard_service_max_concurrency', { service: 'notification' })).toBe(3);
    expect(readValue(text, 'switchyard_service_max_concurrency', { service: 'user' })).toBe(1);
    expect(readValue(text, 'switchyard_service_calls_started_last_second', { service: 'notification' })).toBe(1);
    expect(text).not.toContain('switchyard_service_rate_limit_per_second{service="user"}');
  });
});
