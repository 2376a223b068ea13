import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { isTaskFinished } from '../statuses';
import { fetchJson, toQueryString } from './fetch-json';
import type {
  AttemptList,
  BulkActionRequest,
  BulkActionResult,
  BulkRetryRequest,
  BulkRetryResult,
  CompensateTaskRequest,
  CompensateTaskResult,
  CreateTaskRequest,
  EditContextBody,
  RerunStepRequest,
  ResolveStepBody,
  TaskDetail,
  TaskList,
  TaskListParams,
  TransitionList,
} from './types';

/** Hierarchical keys: invalidating `taskKeys.all` refreshes every task query. */
export const taskKeys = {
  all: ['tasks'] as const,
  lists: () => ['tasks', 'list'] as const,
  list: (params: TaskListParams) => ['tasks', 'list', params] as const,
  detail: (taskId: string) => ['tasks', 'detail', taskId] as const,
  /** Everything about one task that changes when the task does (audit trail, attempts). */
  history: (taskId: string) => ['tasks', 'history', taskId] as const,
  transitions: (taskId: string) => ['tasks', 'history', taskId, 'transitions'] as const,
  attempts: (taskId: string, step: string) => ['tasks', 'history', taskId, 'attempts', step] as const,
};

const taskPath = (taskId: string) => `/api/v1/tasks/${encodeURIComponent(taskId)}`;
const stepPath = (taskId: string, step: string) => `${taskPath(taskId)}/steps/${encodeURIComponent(step)}`;

/**
 * What the page's server render read for its HTML (lib/http/read-page-data.ts), and when: the query
 * starts from it (initialData, as old as it is) and goes on polling or listening as usual.
 */
export type ServerRead<T> = { data: T; readAt: number };

const taskListOptions = (
  params: TaskListParams,
  { refetchInterval, initial }: { refetchInterval?: number | false; initial?: ServerRead<TaskList> } = {},
) =>
  queryOptions({
    queryKey: taskKeys.list(params),
    queryFn: ({ signal }) => fetchJson<TaskList>(`/api/v1/tasks${toQueryString(params)}`, { signal }),
    placeholderData: keepPreviousData,
    refetchInterval,
    initialData: initial?.data,
    initialDataUpdatedAt: initial?.readAt,
  });

export const useTaskList = (params: TaskListParams, options?: { refetchInterval?: number | false; initial?: ServerRead<TaskList> }) =>
  useQuery(taskListOptions(params, options));

/** Polls every second while the task can still change, unless the server pushes updates. */
export const taskDetailOptions = (taskId: string, { pushed = false, initial }: { pushed?: boolean; initial?: ServerRead<TaskDetail> } = {}) =>
  queryOptions({
    queryKey: taskKeys.detail(taskId),
    queryFn: async ({ signal, client }) => {
      const fetched = await fetchJson<TaskDetail>(taskPath(taskId), { signal });
      // Compared with what the cache holds now, on arrival: a push may have landed while this read was away.
      return newerTaskDetail(client.getQueryData(taskKeys.detail(taskId)), fetched);
    },
    refetchInterval: (query) => (pushed || isTaskFinished(query.state.data?.status) ? false : 1000),
    initialData: initial?.data,
    initialDataUpdatedAt: initial?.readAt,
  });

/**
 * Of two reads of a task, the newer (by `revision`; the later one when equal). A read that left before a
 * pushed update and came back after it must not replace it: the stream sends a state once, so the page
 * would show the older one until the next change, which for a finished task never comes.
 */
export function newerTaskDetail(current: TaskDetail | undefined, incoming: TaskDetail): TaskDetail {
  return current && current.id === incoming.id && BigInt(current.revision) > BigInt(incoming.revision) ? current : incoming;
}

export const useTaskDetail = (taskId: string, options?: { pushed?: boolean; initial?: ServerRead<TaskDetail> }) =>
  useQuery(taskDetailOptions(taskId, options));

const taskTransitionsOptions = (taskId: string) =>
  queryOptions({
    queryKey: taskKeys.transitions(taskId),
    queryFn: ({ signal }) => fetchJson<TransitionList>(`${taskPath(taskId)}/transitions`, { signal }).then((body) => body.items),
  });

export const useTaskTransitions = (taskId: string) => useQuery(taskTransitionsOptions(taskId));

const stepAttemptsOptions = (taskId: string, step: string) =>
  queryOptions({
    queryKey: taskKeys.attempts(taskId, step),
    queryFn: ({ signal }) => fetchJson<AttemptList>(`${stepPath(taskId, step)}/attempts`, { signal }).then((body) => body.items),
  });

export const useStepAttempts = (taskId: string, step: string) => useQuery(stepAttemptsOptions(taskId, step));

type ConnectionState = 'connecting' | 'open' | 'closed';

/**
 * Subscribes to the task's Server-Sent Events and writes each pushed TaskDetail into the query
 * cache, so the page updates without polling. Returns whether the stream is open; the caller polls
 * while it is not.
 */
export function useTaskEvents(taskId: string, enabled: boolean): ConnectionState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<ConnectionState>('connecting');
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') {
      setState('closed');
      return;
    }
    const source = new EventSource(`${taskPath(taskId)}/events`);
    setState('connecting');
    source.addEventListener('open', () => setState('open'));
    source.addEventListener('error', () => setState(source.readyState === EventSource.CLOSED ? 'closed' : 'connecting'));
    source.addEventListener('task', (event) => {
      try {
        writeTaskDetail(queryClient, JSON.parse((event as MessageEvent<string>).data) as TaskDetail);
      } catch {
        // A malformed event is skipped; polling catches up.
      }
    });
    return () => {
      source.close();
    };
  }, [taskId, enabled, queryClient]);
  return state;
}

/** Puts a pushed TaskDetail into the cache, as if the detail query had just fetched it. */
export function writeTaskDetail(queryClient: QueryClient, task: TaskDetail): void {
  queryClient.setQueryData<TaskDetail>(taskKeys.detail(task.id), (current) => newerTaskDetail(current, task));
}

/** Changes whenever a step moves or tries again: the cue to refresh the task's history. */
export function taskChangeSignature(task: TaskDetail | undefined): string {
  if (!task) {
    return '';
  }
  return `${task.status}|${task.updated_at}|${task.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`).join(',')}`;
}

/** Mutations of one task refresh every task query (lists, details, history, failures). */
function useTaskMutation<TVariables, TResult>(mutationFn: (variables: TVariables) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: taskKeys.all }),
        queryClient.invalidateQueries({ queryKey: ['failures'] }),
        queryClient.invalidateQueries({ queryKey: ['overview'] }),
      ]);
    },
  });
}

export type StepActionVariables = { step: string; reason?: string };

export const useRetryStep = (taskId: string) =>
  useTaskMutation(({ step, reason }: StepActionVariables) =>
    fetchJson<TaskDetail>(`${stepPath(taskId, step)}/retry`, { method: 'POST', body: { reason } }),
  );

export const useResolveStep = (taskId: string) =>
  useTaskMutation(({ step, results, reason }: StepActionVariables & ResolveStepBody) =>
    fetchJson<TaskDetail>(`${stepPath(taskId, step)}/resolve`, { method: 'POST', body: { results, reason } }),
  );

export const useSkipStep = (taskId: string) =>
  useTaskMutation(({ step, reason }: { step: string; reason: string }) =>
    fetchJson<TaskDetail>(`${stepPath(taskId, step)}/skip`, { method: 'POST', body: { reason } }),
  );

export const useRetryTask = (taskId: string) =>
  useTaskMutation(({ reason }: { reason?: string }) => fetchJson<TaskDetail>(`${taskPath(taskId)}/retry`, { method: 'POST', body: { reason } }));

export const useCancelTask = (taskId: string) =>
  useTaskMutation(({ reason }: { reason?: string }) => fetchJson<TaskDetail>(`${taskPath(taskId)}/cancel`, { method: 'POST', body: { reason } }));

/** PATCH the context (validated against the template's schema by the server), then retry the failed steps. */
export const useEditContext = (taskId: string) =>
  useTaskMutation(({ context, reason }: EditContextBody) =>
    fetchJson<TaskDetail>(`${taskPath(taskId)}/context`, { method: 'PATCH', body: { context, reason } }),
  );

/** POST /tasks/{id}/compensate: with dry_run, the compensations that would run, in order; else they start. */
export const useCompensateTask = (taskId: string) =>
  useTaskMutation((body: CompensateTaskRequest) => fetchJson<CompensateTaskResult>(`${taskPath(taskId)}/compensate`, { method: 'POST', body }));

/** POST …/steps/{step}/rerun: the finished step runs again (downstream: and what follows it). */
export const useRerunStep = (taskId: string) =>
  useTaskMutation(({ step, reason, downstream }: { step: string } & RerunStepRequest) =>
    fetchJson<TaskDetail>(`${stepPath(taskId, step)}/rerun`, { method: 'POST', body: { reason, downstream } }),
  );

/** POST /tasks/bulk/cancel or /tasks/bulk/compensate (the body of bulk retry). */
export const useBulkTaskAction = (action: 'cancel' | 'compensate') =>
  useTaskMutation((body: BulkActionRequest) => fetchJson<BulkActionResult>(`/api/v1/tasks/bulk/${action}`, { method: 'POST', body }));

export const useBulkRetry = () =>
  useTaskMutation((body: BulkRetryRequest) => fetchJson<BulkRetryResult>('/api/v1/tasks/bulk/retry', { method: 'POST', body }));

/** POST /tasks: 201 with the new task, or 200 with the one its idempotency key or identity already made. */
export const useCreateTask = () => useTaskMutation((body: CreateTaskRequest) => fetchJson<TaskDetail>('/api/v1/tasks', { method: 'POST', body }));
