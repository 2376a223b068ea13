import { describe, expect, it } from 'vitest';
import { layoutGraph, STEP_NODE_HEIGHT, STEP_NODE_WIDTH } from './layout-graph';
import { makeTestTask } from './test-task';
import { dagToGraph, structureOfDag, structureOfTask, toGraph } from './to-graph';

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
    expect(preferences).toMatchObject({ width: STEP_NODE_WIDTH, height: STEP_NODE_HEIGHT, measured: { width: STEP_NODE_WIDTH, height: STEP_NODE_HEIGHT } });
    expect(preferences.handles?.map((handle) => handle.type)).toEqual(['target', 'source']);
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
