import type { ReactNode } from 'react';
import { Link } from '../shell/link';
import type { StatusTone } from '../status/status-style';

/** One headline number, as a link to the list behind it; the note may link to a list of its own. */
export function StatCard({
  label,
  value,
  note,
  href,
  noteHref,
  tone,
  testId,
  icon,
}: {
  label: string;
  value: ReactNode;
  note?: ReactNode;
  href: string;
  noteHref?: string;
  tone: StatusTone;
  testId?: string;
  icon?: ReactNode;
}) {
  return (
    <div className={`stat tone-${tone}`} data-testid={testId}>
      <Link href={href} className="stat-link">
        <span className="stat-label">
          {icon}
          {label}
        </span>
        <span className="stat-value">{value}</span>
      </Link>
      {note && noteHref ? (
        <Link href={noteHref} className="stat-note">
          {note}
        </Link>
      ) : note ? (
        <span className="stat-note">{note}</span>
      ) : null}
    </div>
  );
}
