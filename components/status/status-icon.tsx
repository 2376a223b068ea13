import { statusTone, type StatusTone } from './status-style';

/** A 14px glyph per status, so status never depends on colour alone. Decorative: the label says it. */
export function StatusIcon({ status, size = 14 }: { status: string; size?: number }) {
  const tone: StatusTone = statusTone(status);
  return (
    <svg
      className={`status-icon tone-${tone}${status === 'in_progress' ? ' spin' : ''}`}
      width={size}
      height={size}
      viewBox="0 0 16 16"
      aria-hidden="true"
      focusable="false"
    >
      {renderGlyph(status)}
    </svg>
  );
}

function renderGlyph(status: string) {
  switch (status) {
    case 'complete':
      return (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path
            d="M4.5 8.2l2.2 2.2 4.8-4.8"
            fill="none"
            style={{ stroke: 'var(--on-accent)' }}
            strokeWidth="1.8"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </>
      );
    case 'error':
      return (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M5.3 5.3l5.4 5.4M10.7 5.3l-5.4 5.4" style={{ stroke: 'var(--on-accent)' }} strokeWidth="1.8" strokeLinecap="round" />
        </>
      );
    case 'waiting_retry':
      return (
        <>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M8 4.5V8l2.4 1.6" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </>
      );
    case 'in_progress':
      return (
        <>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeOpacity="0.25" strokeWidth="2" />
          <path d="M8 1.8a6.2 6.2 0 0 1 6.2 6.2" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </>
      );
    case 'ready':
      return (
        <>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M6.5 5.2l3.6 2.8-3.6 2.8z" fill="currentColor" />
        </>
      );
    case 'resolved_manually':
      return (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path d="M5 11l.6-2.3 4.3-4.3 1.7 1.7-4.3 4.3z" style={{ fill: 'var(--on-accent)' }} />
        </>
      );
    case 'skipped':
      return (
        <path
          d="M3 4l4.5 4L3 12M8.5 4l4.5 4-4.5 4"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      );
    case 'cancelled':
      return (
        <>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M3.8 12.2l8.4-8.4" stroke="currentColor" strokeWidth="1.6" />
        </>
      );
    case 'compensating':
      // An arrow turning back: the task's completed steps are being undone.
      return (
        <>
          <path d="M4.2 5.2A5 5 0 1 1 3 8.6" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
          <path d="M2.6 2.6v3.2h3.2" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </>
      );
    case 'compensated':
      return (
        <>
          <circle cx="8" cy="8" r="7" fill="currentColor" />
          <path
            d="M6.2 5.2L4 7.4l2.2 2.2M4.2 7.4h4.6a2.6 2.6 0 0 1 0 5.2H7.4"
            fill="none"
            style={{ stroke: 'var(--on-accent)' }}
            strokeWidth="1.6"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </>
      );
    default:
      return <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.6" strokeDasharray="2.4 2" />;
  }
}
