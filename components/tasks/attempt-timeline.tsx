'use client';

import type { Transition } from '../../lib/api/types';
import { StatusIcon } from '../status/status-icon';
import { formatDuration } from '../time/format-time';
import { useNow } from '../time/use-now';
import { buildTimeline, segmentCue, type SegmentCue, type TimelineSegment } from './build-timeline';

const TICKS = [0, 0.25, 0.5, 0.75, 1];

/**
 * Each outcome's second cue besides colour: the bar's pattern (class cue-…) and the status icon drawn at
 * its end. The legend draws the same swatches, in this order.
 */
const CUES: { cue: SegmentCue; icon: string | null; label: string; tone: string }[] = [
  { cue: 'succeeded', icon: 'complete', label: 'attempt succeeded', tone: 'tone-success' },
  { cue: 'retried', icon: 'waiting_retry', label: 'attempt failed, retried', tone: 'tone-warning' },
  { cue: 'failed', icon: 'error', label: 'failed for good', tone: 'tone-danger' },
  { cue: 'running', icon: 'in_progress', label: 'running', tone: 'tone-active' },
  { cue: 'waiting', icon: null, label: 'waiting to retry', tone: 'waiting' },
  { cue: 'stopped', icon: 'cancelled', label: 'stopped (cancelled, interrupted or repaired)', tone: 'tone-muted' },
];
const ICON_OF = new Map(CUES.map((entry) => [entry.cue, entry.icon]));
const TONE_OF = new Map(CUES.map((entry) => [entry.cue, entry.tone]));

function EndMarker({ cue }: { cue: SegmentCue }) {
  const icon = ICON_OF.get(cue);
  return icon ? (
    <span className="timeline-marker" aria-hidden="true">
      <StatusIcon status={icon} size={12} />
    </span>
  ) : null;
}

function describeSegment(step: string, segment: TimelineSegment, now: number): string {
  const duration = formatDuration((segment.end ?? now) - segment.start);
  const what = segment.kind === 'running' ? `attempt${segment.attempt ? ` ${segment.attempt}` : ''}` : 'waiting to retry';
  const outcome = segment.outcome ? ` → ${segment.outcome.replaceAll('_', ' ')}` : ' (still going)';
  return `${step}: ${what}, ${duration}${outcome}; started ${new Date(segment.start).toISOString()}`;
}

/** A Gantt of every attempt across the steps: what ran in parallel, and where the time went. */
export function AttemptTimeline({
  transitions,
  stepOrder,
  onSelectStep,
}: {
  transitions: Transition[];
  stepOrder: string[];
  onSelectStep?: (step: string) => void;
}) {
  const clock = useNow();
  const now = clock === 0 ? Date.now() : clock;
  const timeline = buildTimeline(transitions, stepOrder, now);
  const span = timeline.end - timeline.start;
  const left = (time: number) => `${(((time - timeline.start) / span) * 100).toFixed(3)}%`;
  const width = (segment: TimelineSegment) => `max(3px, ${((((segment.end ?? now) - segment.start) / span) * 100).toFixed(3)}%)`;
  return (
    <div className="timeline" data-testid="attempt-timeline">
      <div className="timeline-axis" aria-hidden="true">
        <span className="timeline-label" />
        <div className="timeline-track">
          {TICKS.map((tick) => (
            <span key={tick} className="timeline-tick" style={{ left: `${tick * 100}%` }}>
              {tick === 0 ? new Date(timeline.start).toISOString().slice(11, 19) : `+${formatDuration(span * tick)}`}
            </span>
          ))}
        </div>
      </div>
      <ul className="timeline-rows">
        {timeline.rows.map((row) => (
          <li key={row.step} className="timeline-row">
            <button type="button" className="timeline-label link-button" onClick={() => onSelectStep?.(row.step)} title={row.step}>
              {row.step}
            </button>
            <div className="timeline-track">
              {row.segments.length === 0 ? <span className="timeline-none">not run</span> : null}
              {row.segments.map((segment, index) => {
                const cue = segmentCue(segment);
                return (
                  <span
                    key={index}
                    className={`timeline-bar ${segment.kind} cue-${cue} ${TONE_OF.get(cue) ?? ''}`}
                    data-cue={cue}
                    style={{ left: left(segment.start), width: width(segment) }}
                    title={describeSegment(row.step, segment, now)}
                    aria-label={describeSegment(row.step, segment, now)}
                    role="img"
                  >
                    <EndMarker cue={cue} />
                  </span>
                );
              })}
            </div>
          </li>
        ))}
      </ul>
      <ul className="timeline-legend" aria-label="Legend" data-testid="timeline-legend">
        {CUES.map((entry) => (
          <li key={entry.cue} data-cue={entry.cue}>
            <span className={`legend-swatch cue-${entry.cue} ${entry.tone}`} aria-hidden="true">
              <EndMarker cue={entry.cue} />
            </span>
            {entry.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
