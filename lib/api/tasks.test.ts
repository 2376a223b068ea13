import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { makeTestTask } from '../../components/task-graph/test-task';
import { newerTaskDetail, taskKeys, writeTaskDetail } from './tasks';
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
