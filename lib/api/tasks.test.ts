import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeTestTask } from '../../components/task-graph/test-task';
import { newerTaskDetail, taskDetailOptions, taskKeys, writeTaskDetail } from './tasks';
import type { TaskDetail } from './types';

const at = (revision: string, statuses: Parameters<typeof makeTestTask>[0] = {}): TaskDetail => ({ ...makeTestTask(statuses), revision });

describe('a task read only replaces an older one', () => {
  it('keeps the newer of two reads, by revision, and the later one when they are equal', () => {
    const done = at('120', { update_user_status: 'complete' });
    const running = at('118', { update_user_status: 'in_progress' });
    expect(newerTaskDetail(done, running)).toBe(done);
    expect(newerTaskDetail(running, done)).toBe(done);
    const again = at('120', { update_user_status: 'complete' });
    expect(newerTaskDetail(done, again)).toBe(again);
    expect(newerTaskDetail(undefined, running)).toBe(running);
    // Revisions compare as numbers, not as text.
    expect(newerTaskDetail(at('9'), at('10')).revision).toBe('10');
  });

  it('a pushed state is not undone by a read that left before it and came back after', () => {
    const client = new QueryClient();
    writeTaskDetail(client, at('120', { update_user_status: 'complete' }));
    writeTaskDetail(client, at('118', { update_user_status: 'in_progress' }));
    const shown = client.getQueryData<TaskDetail>(taskKeys.detail('1'));
    expect(shown?.revision).toBe('120');
    expect(shown?.steps.find((step) => step.name === 'update_user_status')?.status).toBe('complete');
  });
});

describe('the task query', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('keeps a push that landed while its read was away, and takes a read that is newer', async () => {
    const client = new QueryClient();
    const answers: ((detail: TaskDetail) => void)[] = [];
    const answer = async (detail: TaskDetail) => {
      await vi.waitFor(() => expect(answers.length).toBeGreaterThan(0));
      answers.shift()!(detail);
    };
    // The server's answer, held until the test gives it (fetch is the browser's; no database here).
    vi.stubGlobal('fetch', () => new Promise<Response>((resolve) => answers.push((detail) => resolve(Response.json(detail)))));
    const read = client.fetchQuery(taskDetailOptions('1'));
    await vi.waitFor(() => expect(answers).toHaveLength(1));
    writeTaskDetail(client, at('120', { update_user_status: 'complete' }));
    await answer(at('118', { update_user_status: 'in_progress' }));
    expect((await read).revision).toBe('120');
    expect(client.getQueryData<TaskDetail>(taskKeys.detail('1'))?.steps.at(-1)?.status).toBe('complete');

    const next = client.fetchQuery({ ...taskDetailOptions('1'), staleTime: 0 });
    await answer(at('121', { update_user_status: 'complete' }));
    expect((await next).revision).toBe('121');
  });
});
