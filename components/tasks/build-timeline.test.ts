import { describe, expect, it } from 'vitest';
import type { Transition } from '../../lib/api/types';
import { buildTimeline, segmentCue } from './build-timeline';

let id = 0;
const t = (step: string, from: string | null, to: string, second: number, attempt: number | null = null): Transition => ({
  id: String(++id),
  task_id: '1',
  step_id: step,
  step_name: step,
  from_status: from,
  to_status: to,
  reason: '',
  actor: 'system',
  attempt,
  details: null,
  created_at: new Date(Date.UTC(2024, 4, 1, 12, 0, second)).toISOString(),
});
const at = (second: number) => Date.UTC(2024, 4, 1, 12, 0, second);

describe('buildTimeline', () => {
  it('turns the audit trail into running and waiting bars, showing parallel steps', () => {
    const transitions = [
      t('a', 'ready', 'in_progress', 0, 1),
      t('a', 'in_progress', 'complete', 1),
      t('b', 'ready', 'in_progress', 1, 1),
      t('c', 'ready', 'in_progress', 1, 1),
      t('b', 'in_progress', 'waiting_retry', 2),
      t('b', 'waiting_retry', 'in_progress', 4, 2),
      t('c', 'in_progress', 'complete', 3),
    ];
    const timeline = buildTimeline(transitions, ['a', 'b', 'c', 'd'], at(10));
    expect(timeline.start).toBe(at(0));
    expect(timeline.end).toBe(at(10));
    expect(timeline.rows.map((row) => row.step)).toEqual(['a', 'b', 'c', 'd']);
    expect(timeline.rows[1]!.segments).toEqual([
      { kind: 'running', start: at(1), end: at(2), outcome: 'waiting_retry', attempt: 1 },
      { kind: 'waiting', start: at(2), end: at(4), outcome: 'in_progress', attempt: null },
      { kind: 'running', start: at(4), end: null, outcome: null, attempt: 2 },
    ]);
    expect(timeline.rows[2]!.segments[0]).toMatchObject({ start: at(1), end: at(3), outcome: 'complete' });
    expect(timeline.rows[3]!.segments).toEqual([]);
  });

  it('ignores task-level transitions and handles an empty trail', () => {
    const timeline = buildTimeline([{ ...t('x', null, 'in_progress', 0), step_name: null }], ['x'], at(5));
    expect(timeline.rows).toEqual([{ step: 'x', segments: [] }]);
    expect(timeline.end).toBeGreaterThan(timeline.start);
  });
});

describe('segmentCue', () => {
  it('names how each segment ended, so the bar can say it without colour', () => {
    expect(segmentCue({ kind: 'waiting', outcome: 'in_progress' })).toBe('waiting');
    expect(segmentCue({ kind: 'running', outcome: null })).toBe('running');
    expect(segmentCue({ kind: 'running', outcome: 'complete' })).toBe('succeeded');
    expect(segmentCue({ kind: 'running', outcome: 'waiting_retry' })).toBe('retried');
    expect(segmentCue({ kind: 'running', outcome: 'error' })).toBe('failed');
    expect(segmentCue({ kind: 'running', outcome: 'cancelled' })).toBe('stopped');
    expect(segmentCue({ kind: 'running', outcome: 'ready' })).toBe('stopped');
  });
});
