'use client';
import type { Transition } from '../../lib/api/types';
import { statusTone } from '../status/status-style';
import { formatDuration } from '../time/format-time';
import { useNow } from '../time/use-now';
import { buildTimeline, type TimelineSegment } from './build-timeline';

const TICKS = [0, 0.25, 0.5, 0.75, 1];

function segmentTone(segment: TimelineSegment): string {
  if (segment.kind === 'waiting') {
    return 'waiting';
  }
  if (segment.outcome === null) {
    return 'tone-active';
  }
  return segment.outcome === 'complete' ? 'tone-success' : `tone-${statusTone(segment.outcome === 'waiting_retry' ? 'waiting_retry' : segment.outcome)}`;
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
              {row.segments.map((segment, index) => (
                <span
                  key={index}
                  className={`timeline-bar ${segment.kind} ${segmentTone(segment)}`}
                  style={{ left: left(segment.start), width: width(segment) }}
                  title={describeSegment(row.step, segment, now)}
                  aria-label={describeSegment(row.step, segment, now)}
                  role="img"
                />
              ))}
            </div>
          </li>
        ))}
      </ul>
      <p className="timeline-legend">
        <span className="legend-swatch tone-success" /> attempt succeeded <span className="legend-swatch tone-warning" /> attempt failed, retried{' '}
        <span className="legend-swatch tone-danger" /> failed for good <span className="legend-swatch tone-active" /> running{' '}
        <span className="legend-swatch waiting" /> waiting to retry
      </p>
    </div>
  );
}
