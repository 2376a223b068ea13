'use client';

import { formatRelativeTime } from './format-time';
import { useNow } from './use-now';

/** "3 min ago", with the exact UTC time on hover. */
export function RelativeTime({ iso, fallback = '—' }: { iso: string | null | undefined; fallback?: string }) {
  const now = useNow();
  if (!iso) {
    return <span className="muted">{fallback}</span>;
  }
  const exact = new Date(iso).toISOString();
  return (
    <time dateTime={exact} title={exact} className="relative-time">
      {now === 0 ? exact.slice(0, 19).replace('T', ' ') : formatRelativeTime(iso, now)}
    </time>
  );
}
