import Link from 'next/link';
import type { ReactNode } from 'react';
import type { StatusTone } from '../status/status-style';

/** One headline number, as a link to the list behind it. */
export function StatCard({
  label,
  value,
  note,
  href,
  tone,
  testId,
  icon,
}: {
  label: string;
  value: ReactNode;
  note?: ReactNode;
  href: string;
  tone: StatusTone;
  testId?: string;
  icon?: ReactNode;
}) {
  return (
    <Link href={href} className={`stat tone-${tone}`} data-testid={testId}>
      <span className="stat-label">
        {icon}
        {label}
      </span>
      <span className="stat-value" style={{ display: 'block', color: 'var(--text)' }}>
        {value}
      </span>
      {note ? <span className="stat-note">{note}</span> : null}
    </Link>
  );
}
