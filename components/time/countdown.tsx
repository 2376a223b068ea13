'use client';

import { formatDuration } from './format-time';
import { useNow } from './use-now';

/** Time left until `iso` ("retry in 4.0 s"), "due" once it has passed. */
export function Countdown({ iso, prefix = 'in ' }: { iso: string; prefix?: string }) {
  const now = useNow();
  const exact = new Date(iso).toISOString();
  const left = new Date(iso).getTime() - now;
  return (
    <time dateTime={exact} title={exact} className="countdown">
      {now === 0 ? '' : left > 0 ? `${prefix}${formatDuration(Math.ceil(left / 1000) * 1000)}` : 'due now'}
    </time>
  );
}
