import { describe, expect, it } from 'vitest';
import { layoutGraph, layoutGraphOnce, STEP_NODE_WIDTH } from './layout-graph';
import { makeTestTask } from './test-task';
import { structureKey, structureOfTask } from './to-graph';

describe('layoutGraph', () => {
  it('lays the registration out left to right, parallel steps in one column', () => {
    const positions = layoutGraph(structureOfTask(makeTestTask()));
    const x = (name: string) => positions[name]!.x;
    expect(x('create_user_account')).toBeLessThan(x('setup_billing_profile'));
    expect(x('setup_billing_profile')).toBe(x('initialize_preferences'));
    expect(positions.setup_billing_profile!.y).not.toBe(positions.initialize_preferences!.y);
    expect(x('setup_billing_profile')).toBeLessThan(x('send_welcome_sequence'));
    expect(x('send_welcome_sequence') + STEP_NODE_WIDTH).toBeLessThanOrEqual(x('update_user_status'));
  });

  it('gives the same positions whatever the statuses are', () => {
    const before = makeTestTask();
    const after = makeTestTask({ create_user_account: 'complete', setup_billing_profile: 'error', initialize_preferences: 'in_progress' });
    expect(structureKey(structureOfTask(before))).toBe(structureKey(structureOfTask(after)));
    expect(layoutGraph(structureOfTask(after))).toEqual(layoutGraph(structureOfTask(before)));
  });

  // How long it takes is measured by the browser test (e2e/large-graphs-and-task-lists.spec.ts), not asserted.
  it('lays out 200 steps without overlaps', () => {
    const nodeIds = Array.from({ length: 200 }, (_, index) => `step_${index}`);
    const edges = nodeIds.slice(10).map((id, index) => ({ source: `step_${index}`, target: id }));
    const positions = layoutGraph({ nodeIds, edges });
    const seen = new Set(Object.values(positions).map(({ x, y }) => `${x},${y}`));
    expect(seen.size).toBe(200);
  });

  it('lays out a shape once and reuses it for the next graph of that shape', () => {
    const structure = structureOfTask(makeTestTask());
    const key = structureKey(structure);
    const first = layoutGraphOnce(structure, key);
    expect(first).toEqual(layoutGraph(structure));
    expect(layoutGraphOnce(structureOfTask(makeTestTask({ create_user_account: 'complete' })), key)).toBe(first);
  });
});
