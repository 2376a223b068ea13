const UNITS: [limitSeconds: number, unitSeconds: number, unit: string][] = [
  [60, 1, 's'],
  [3600, 60, 'min'],
  [86_400, 3600, 'h'],
  [86_400 * 60, 86_400, 'd'],
  [Infinity, 86_400 * 30, 'mo'],
];

/** "12 s ago", "in 3 min", "just now": for an ISO time relative to `now`. */
export function formatRelativeTime(iso: string, now: number): string {
  const deltaSeconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const magnitude = Math.abs(deltaSeconds);
  if (magnitude < 2) {
    return 'just now';
  }
  for (const [limit, unitSeconds, unit] of UNITS) {
    if (magnitude < limit) {
      const value = Math.floor(magnitude / unitSeconds);
      return deltaSeconds < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
    }
  }
  return iso;
}

/** "850 ms", "4.2 s", "3 min 05 s", "2 h 07 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  const seconds = ms / 1000;
  if (seconds < 60) {
    return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  }
  const wholeSeconds = Math.round(seconds);
  const minutes = Math.floor(wholeSeconds / 60);
  if (minutes < 60) {
    return `${minutes} min ${String(wholeSeconds % 60).padStart(2, '0')} s`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  }
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The span between two ISO times (or until `now` when `end` is missing). */
export function durationBetween(start: string | null | undefined, end: string | null | undefined, now: number): number | null {
  if (!start) {
    return null;
  }
  const endMs = end ? new Date(end).getTime() : now;
  return Math.max(0, endMs - new Date(start).getTime());
}
