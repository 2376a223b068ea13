import { expect, test } from '@playwright/test';
import type { TaskDetail } from '../../lib/api/types';
import { BASE_URL, createTask, newRun } from './http-api';

test('streams the task as Server-Sent Events while it runs, until it completes', async ({ request }) => {
  const task = await createTask(request, 'api_slow', { run: newRun() });
  const controller = new AbortController();
  const response = await fetch(`${BASE_URL}/api/v1/tasks/${task.id}/events`, { signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const seen: TaskDetail[] = [];
  let buffer = '';
  const deadline = Date.now() + 20_000;
  try {
    while (Date.now() < deadline && seen.at(-1)?.status !== 'complete') {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (block.includes('event: task') && data) {
          seen.push(JSON.parse(data.slice('data: '.length)) as TaskDetail);
        }
      }
    }
  } finally {
    controller.abort();
  }
  expect(seen[0]?.id).toBe(task.id);
  expect(seen.at(-1)?.status).toBe('complete');
  // The long step was seen running on the way: pushed, not only the first and last states.
  expect(seen.some((event) => event.steps.find((step) => step.name === 'wait')?.status === 'in_progress')).toBe(true);
});
