import { describe, expect, it } from 'vitest';
import {
  CLAIMABLE_STEP_STATUSES,
  FAILED_STEP_STATUSES,
  FINISHED_STEP_STATUSES,
  FINISHED_TASK_STATUSES,
  LIVE_STEP_STATUSES,
  MANUALLY_FINISHABLE_STEP_STATUSES,
  OPEN_TASK_STATUSES,
  SATISFIED_STEP_STATUSES,
  STEP_STATUSES,
  TASK_STATUSES,
  UNFINISHED_STEP_STATUSES,
} from './statuses';

const sorted = (values: readonly string[]) => [...values].sort();
const isSubset = (part: readonly string[], whole: readonly string[]) => part.every((value) => whole.includes(value));

describe('status lists', () => {
  it('split tasks into open and finished, and steps into unfinished and finished, each status once', () => {
    expect(sorted([...OPEN_TASK_STATUSES, ...FINISHED_TASK_STATUSES])).toEqual(sorted(TASK_STATUSES));
    expect(sorted([...UNFINISHED_STEP_STATUSES, ...FINISHED_STEP_STATUSES])).toEqual(sorted(STEP_STATUSES));
  });

  it('nest as the state machine says', () => {
    expect(isSubset(SATISFIED_STEP_STATUSES, FINISHED_STEP_STATUSES)).toBe(true);
    expect(isSubset(LIVE_STEP_STATUSES, UNFINISHED_STEP_STATUSES)).toBe(true);
    expect(isSubset(CLAIMABLE_STEP_STATUSES, LIVE_STEP_STATUSES)).toBe(true);
    expect(isSubset(FAILED_STEP_STATUSES, UNFINISHED_STEP_STATUSES)).toBe(true);
    // Resolving or skipping takes any unfinished step but a running one.
    expect(sorted([...MANUALLY_FINISHABLE_STEP_STATUSES, 'in_progress'])).toEqual(sorted(UNFINISHED_STEP_STATUSES));
  });
});
