import { randomUUID } from 'node:crypto';
import { expect, type APIRequestContext, type APIResponse } from '@playwright/test';
import type { ApiErrorBody, TaskDetail, TaskList } from '../../lib/api/types';

/** Helpers for the HTTP API tests: fixture templates live in e2e/fixtures/templates/api_*.yaml (namespace e2e_api). */
export const NAMESPACE = 'e2e_api';
export const BASE_URL = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3210)}`;

/** A marker put in each test's task contexts, so filters (q) find only that test's tasks in the shared database. */
export function newRun(): string {
  return `run-${randomUUID()}`;
}

export async function expectError(response: APIResponse, status: number, code?: string): Promise<ApiErrorBody['error']> {
  expect(response.status(), await response.text()).toBe(status);
  const body = (await response.json()) as ApiErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.message).toBe('string');
  expect(Array.isArray(body.error.details)).toBe(true);
  if (code) {
    expect(body.error.code).toBe(code);
  }
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules|select .* from/i);
  return body.error;
}

export async function createTask(
  request: APIRequestContext,
  name: string,
  context: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<TaskDetail> {
  const response = await request.post('/api/v1/tasks', { data: { namespace: NAMESPACE, name, context }, headers });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as TaskDetail;
}

export async function getTask(request: APIRequestContext, taskId: string): Promise<TaskDetail> {
  const response = await request.get(`/api/v1/tasks/${taskId}`);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as TaskDetail;
}

export async function waitForStatus(request: APIRequestContext, taskId: string, status: string, timeout = 20_000): Promise<TaskDetail> {
  await expect.poll(async () => (await getTask(request, taskId)).status, { timeout, intervals: [100, 200, 300] }).toBe(status);
  return getTask(request, taskId);
}

/** A task of api_always_fails (charge and audit fail for good), in error. */
export async function createFailedTask(request: APIRequestContext, run: string, orderId = 1): Promise<TaskDetail> {
  const task = await createTask(request, 'api_always_fails', { order_id: orderId, run });
  return waitForStatus(request, task.id, 'error');
}

export async function listTasks(request: APIRequestContext, query: Record<string, string | number>): Promise<TaskList> {
  const response = await request.get('/api/v1/tasks', { params: query });
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as TaskList;
}
