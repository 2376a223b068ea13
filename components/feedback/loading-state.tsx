/** A quiet placeholder while data loads; `rows` draws skeleton lines of a table or list. */
export function LoadingState({ label = 'Loading…', rows = 3 }: { label?: string; rows?: number }) {
  return (
    <div className="loading-state" role="status" aria-live="polite">
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, index) => (
        <div key={index} className="skeleton-line" style={{ width: `${90 - index * 12}%` }} />
      ))}
      <span className="loading-label" aria-hidden="true">
        {label}
      </span>
    </div>
  );
}
