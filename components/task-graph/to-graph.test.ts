import { describe, expect, it } from 'vitest';
import { layoutGraph, STEP_NODE_HEIGHT, STEP_NODE_WIDTH } from './layout-graph';
import { makeTestTask } from './test-task';
import { dagToGraph, describeServiceWait, shortenError, structureOfDag, structureOfTask, toGraph } from './to-graph';

describe('toGraph', () => {
  it('makes one node per step and one edge per dependency', () => {
    const task = makeTestTask();
    const { nodes, edges } = toGraph(task, layoutGraph(structureOfTask(task)), null);
    expect(nodes.map((node) => node.id)).toEqual(task.steps.map((step) => step.name));
    expect(edges.map((edge) => edge.id)).toEqual([
      'create_user_account->setup_billing_profile',
      'create_user_account->initialize_preferences',
      'setup_billing_profile->send_welcome_sequence',
      'initialize_preferences->send_welcome_sequence',
      'send_welcome_sequence->update_user_status',
    ]);
  });

  it('animates edges into running steps and carries status, attempts and selection', () => {
    const task = makeTestTask({ create_user_account: 'complete', setup_billing_profile: 'in_progress', initialize_preferences: 'error' });
    const { nodes, edges } = toGraph(task, {}, 'initialize_preferences');
    expect(edges.find((edge) => edge.target === 'setup_billing_profile')?.animated).toBe(true);
    expect(edges.find((edge) => edge.target === 'initialize_preferences')?.animated).toBe(false);
    const preferences = nodes.find((node) => node.id === 'initialize_preferences')!;
    expect(preferences.data).toMatchObject({ status: 'error', attemptsThisRound: 1, retryLimit: 3, selected: true });
    // Sized and with handles up front, so React Flow draws without measuring first.
    expect(preferences).toMatchObject({
      width: STEP_NODE_WIDTH,
      height: STEP_NODE_HEIGHT,
      measured: { width: STEP_NODE_WIDTH, height: STEP_NODE_HEIGHT },
    });
    expect(preferences.handles?.map((handle) => handle.type)).toEqual(['target', 'source']);
  });

  it('puts a short form of the last error on steps in error or waiting to retry, and on no other', () => {
    const task = makeTestTask({ create_user_account: 'complete', setup_billing_profile: 'error', initialize_preferences: 'waiting_retry' });
    const rejected = { class: 'PermanentError', message: 'billing rejects every request', code: null, http_status: 422 };
    for (const step of task.steps) {
      step.last_error = rejected;
    }
    const { nodes } = toGraph(task, {}, null);
    const short = (id: string) => nodes.find((node) => node.id === id)!.data.errorShort;
    expect(short('setup_billing_profile')).toBe('HTTP 422 · billing rejects every request');
    expect(short('initialize_preferences')).toBe('HTTP 422 · billing rejects every request');
    expect(short('create_user_account')).toBeNull();
    expect(short('send_welcome_sequence')).toBeNull();
  });

  it('shortens an error to its most telling part first', () => {
    expect(shortenError({ class: 'RetryableError', message: 'Service Unavailable', code: 'service_down', http_status: 503 })).toBe(
      'HTTP 503 · service_down',
    );
    expect(
      shortenError({
        class: 'PermanentError',
        message: 'POST billing /profiles answered 422: billing rejects every request',
        code: 'http_422',
        http_status: 422,
      }),
    ).toBe('HTTP 422 · billing rejects every request');
    expect(shortenError({ class: 'PermanentError', message: 'card declined\n for order 4711', code: null })).toBe(
      'PermanentError: card declined for order 4711',
    );
    expect(shortenError({ class: 'TimeoutError', message: 'attempt timed out after 30 s', code: 'timeout' })).toBe(
      'timeout: attempt timed out after 30 s',
    );
    expect(shortenError({ class: '', message: 'boom', code: null })).toBe('boom');
  });

  it('draws a template DAG without statuses', () => {
    const dag = {
      nodes: [
        { id: 'a', label: 'a', handler: 'test.noop', service: null },
        { id: 'b', label: 'b', handler: 'test.noop', service: null },
      ],
      edges: [{ source: 'a', target: 'b' }],
    };
    const { nodes, edges } = dagToGraph(dag, layoutGraph(structureOfDag(dag)));
    expect(nodes.every((node) => node.data.status === null)).toBe(true);
    expect(edges).toHaveLength(1);
  });
});

describe('describeServiceWait', () => {
  it('says what a step waits on when its service holds it back, and nothing for other waits', () => {
    expect(describeServiceWait({ kind: 'held', service: 'billing' })).toBe('waiting: billing is held');
    expect(describeServiceWait({ kind: 'circuit_open', service: 'billing', until: '2026-12-07T00:00:00.000Z' })).toBe(
      'waiting: billing circuit open',
    );
    expect(describeServiceWait({ kind: 'rate_limited', service: 'notification' })).toBe('waiting: notification rate limit');
    expect(describeServiceWait({ kind: 'backoff', until: '2026-12-07T00:00:00.000Z' })).toBeNull();
    expect(describeServiceWait({ kind: 'dependencies' })).toBeNull();
    expect(describeServiceWait(null)).toBeNull();
  });
});
