import { describe, expect, it } from 'vitest';
import type { TaskDetail } from '../../lib/api/types';
import { layoutGraph } from './layout-graph';
import { makeTestTask } from './test-task';
import { structureOfTask, toGraph } from './to-graph';

/** A registration being compensated: the preferences' undo first, then the account's. */
function compensatingTask(): TaskDetail {
  const task = makeTestTask({ create_user_account: 'complete', setup_billing_profile: 'cancelled', initialize_preferences: 'compensated' });
  const base = task.steps[0]!;
  return {
    ...task,
    status: 'compensating',
    steps: [
      ...task.steps,
      {
        ...base,
        id: 'u1',
        name: 'compensate.initialize_preferences',
        kind: 'compensation',
        compensates: 'initialize_preferences',
        status: 'complete',
        depends_on: [],
      },
      {
        ...base,
        id: 'u2',
        name: 'compensate.create_user_account',
        kind: 'compensation',
        compensates: 'create_user_account',
        status: 'in_progress',
        depends_on: ['compensate.initialize_preferences'],
      },
    ],
  };
}

describe('compensation steps on the graph', () => {
  it('hang off the step each undoes (a dashed edge) and follow the compensations they wait for', () => {
    const task = compensatingTask();
    const { nodes, edges } = toGraph(task, layoutGraph(structureOfTask(task)), null);
    const undo = nodes.find((node) => node.id === 'compensate.create_user_account')!;
    expect(undo.data).toMatchObject({ undoes: 'create_user_account', status: 'in_progress' });
    expect(nodes.find((node) => node.id === 'create_user_account')!.data.undoes).toBeNull();
    expect(edges.filter((edge) => edge.className === 'edge-compensates').map((edge) => edge.id)).toEqual([
      'initialize_preferences->compensate.initialize_preferences',
      'create_user_account->compensate.create_user_account',
    ]);
    expect(edges.find((edge) => edge.id === 'compensate.initialize_preferences->compensate.create_user_account')).toMatchObject({
      className: 'edge-satisfied',
      animated: true,
    });
  });

  it('are laid out after the steps they undo: a lane of undos to the right', () => {
    const task = compensatingTask();
    const positions = layoutGraph(structureOfTask(task));
    expect(positions['compensate.create_user_account']!.x).toBeGreaterThan(positions['compensate.initialize_preferences']!.x);
    expect(positions['compensate.initialize_preferences']!.x).toBeGreaterThan(positions.initialize_preferences!.x);
  });
});
