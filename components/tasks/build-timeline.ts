import type { Transition } from '../../lib/api/types';

export type TimelineSegment = {
  kind: 'running' | 'waiting';
  start: number;
  /** null while still open. */
  end: number | null;
  /** The status the step went to when the segment ended (complete, waiting_retry, error, …). */
  outcome: string | null;
  attempt: number | null;
};

type TimelineRow = { step: string; segments: TimelineSegment[] };

/**
 * How a segment ended, for the cue drawn besides its colour (a pattern and an end marker), so an
 * outcome never rests on colour alone: a wait, an attempt still running, one that succeeded, one that
 * failed and was retried, one that failed for good, or one stopped otherwise (cancelled, interrupted
 * and queued again, resolved or skipped by an operator).
 */
export type SegmentCue = 'waiting' | 'running' | 'succeeded' | 'retried' | 'failed' | 'stopped';

export function segmentCue(segment: Pick<TimelineSegment, 'kind' | 'outcome'>): SegmentCue {
  if (segment.kind === 'waiting') {
    return 'waiting';
  }
  switch (segment.outcome) {
    case null:
      return 'running';
    case 'complete':
      return 'succeeded';
    case 'waiting_retry':
      return 'retried';
    case 'error':
      return 'failed';
    default:
      return 'stopped';
  }
}

export type Timeline = { rows: TimelineRow[]; start: number; end: number };

/**
 * A Gantt of the task's attempts from its audit trail: each stay of a step in `in_progress` is a
 * running bar, each stay in `waiting_retry` a waiting bar. Open bars end at `now`. Rows follow
 * `stepOrder`; steps that never ran get an empty row.
 */
export function buildTimeline(transitions: Transition[], stepOrder: string[], now: number): Timeline {
  const open = new Map<string, TimelineSegment>();
  const rows = new Map<string, TimelineSegment[]>(stepOrder.map((step) => [step, []]));
  const sorted = transitions
    .filter((transition) => transition.step_name)
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || Number(a.id) - Number(b.id));
  for (const transition of sorted) {
    const step = transition.step_name as string;
    const at = Date.parse(transition.created_at);
    const current = open.get(step);
    if (current) {
      current.end = at;
      current.outcome = transition.to_status;
      open.delete(step);
    }
    const kind = transition.to_status === 'in_progress' ? 'running' : transition.to_status === 'waiting_retry' ? 'waiting' : null;
    if (kind) {
      const segment: TimelineSegment = { kind, start: at, end: null, outcome: null, attempt: transition.attempt };
      open.set(step, segment);
      const list = rows.get(step) ?? [];
      list.push(segment);
      rows.set(step, list);
    }
  }
  const all = [...rows.values()].flat();
  const start = all.length ? Math.min(...all.map((segment) => segment.start)) : now;
  const end = all.length ? Math.max(...all.map((segment) => segment.end ?? now)) : now;
  return {
    rows: [...rows.entries()].map(([step, segments]) => ({ step, segments })),
    start,
    end: Math.max(end, start + 1),
  };
}
