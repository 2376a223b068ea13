import { expect, type APIRequestContext } from '@playwright/test';
import type { TaskDetail, TaskList, TaskSummary } from '../../lib/api/types';

const DEMO_PORT = Number(process.env.E2E_DEMO_SERVICES_PORT ?? 3211);
export const DEMO_CONTROL_URL = `http://127.0.0.1:${DEMO_PORT}/_control`;

export type DemoMode = 'up' | 'down' | 'slow' | 'flaky' | 'rate_limited' | 'reject';

/** Arranges a test's world through the public API and the demo services' control endpoint. */
export class SwitchyardApi {
  constructor(private readonly request: APIRequestContext) {}

  async resetDemoServices(): Promise<void> {
    const response = await this.request.post(`${DEMO_CONTROL_URL}/reset`, { data: {} });
    expect(response.ok(), await response.text()).toBe(true);
  }

  async setServiceMode(service: string, mode: DemoMode, options: { latency_ms?: number; failure_rate?: number; retry_after_seconds?: number } = {}) {
    const response = await this.request.post(`${DEMO_CONTROL_URL}/${service}`, { data: { mode, ...options } });
    expect(response.ok(), await response.text()).toBe(true);
  }

  async createTask(namespace: string, name: string, context: Record<string, unknown>): Promise<TaskSummary> {
    const response = await this.request.post('/api/v1/tasks', { data: { namespace, name, context } });
    expect(response.status(), await response.text()).toBeLessThan(300);
    const body = (await response.json()) as TaskSummary | { task: TaskSummary };
    return 'task' in body ? body.task : body;
  }

  /** A registration of the story's template; each needs its own e-mail (the identity field). */
  createRegistration(
    email: string,
    { plan = 'pro', withPaymentMethod = true, name = 'Ann' }: { plan?: string; withPaymentMethod?: boolean; name?: string } = {},
  ) {
    return this.createTask('blog_examples', 'user_registration', {
      user_info: { email, name, plan },
      ...(withPaymentMethod ? { billing_info: { payment_method: 'card' } } : {}),
    });
  }

  /**
   * Cancels the tasks of a template that earlier specs left in error (the e2e server is shared), so that a
   * spec counting a failure group sees only its own tasks. Cancelled tasks are not failures.
   */
  async cancelFailedTasks(namespace: string, name: string): Promise<void> {
    const response = await this.request.post('/api/v1/tasks/bulk/cancel', {
      data: { filter: { status: 'error', namespace, name }, reason: 'e2e: a clean slate for a spec that counts a failure group' },
    });
    expect(response.ok(), await response.text()).toBe(true);
  }

  async getTask(taskId: string): Promise<TaskDetail> {
    const response = await this.request.get(`/api/v1/tasks/${taskId}`);
    expect(response.ok(), await response.text()).toBe(true);
    const body = (await response.json()) as TaskDetail | { task: TaskDetail };
    return 'steps' in body ? body : body.task;
  }

  async listTasks(params: Record<string, string | number>): Promise<TaskList> {
    const query = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)]));
    const response = await this.request.get(`/api/v1/tasks?${query}`);
    expect(response.ok(), await response.text()).toBe(true);
    return (await response.json()) as TaskList;
  }

  async waitForTaskStatus(taskId: string, status: string, timeout = 20_000): Promise<TaskDetail> {
    await expect.poll(async () => (await this.getTask(taskId)).status, { timeout, intervals: [200, 300, 500] }).toBe(status);
    return this.getTask(taskId);
  }

  /** Counts the tasks matching `params` (pages through them). */
  async countTasks(params: Record<string, string>): Promise<number> {
    let count = 0;
    let cursor: string | null = null;
    do {
      const page: TaskList = await this.listTasks({ ...params, limit: 200, ...(cursor ? { cursor } : {}) });
      count += page.items.length;
      cursor = page.next_cursor;
    } while (cursor);
    return count;
  }
}

/** An e-mail address no other test (or earlier run on the same database) uses. */
export function uniqueEmail(label: string, index = 0): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}-${index}@example.com`;
}
