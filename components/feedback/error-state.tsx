'use client';

import { isApiError } from '../../lib/api/api-error';

/** An API error as a person needs it: what went wrong, each detail with its path, and a way to try again. */
export function ErrorState({ error, title = 'Could not load this', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  return (
    <div className="error-state" role="alert">
      <p className="error-title">{title}</p>
      <ErrorMessage error={error} />
      {onRetry ? (
        <button type="button" className="button small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** The message, code and details of an error, inline (forms and dialogs). */
export function ErrorMessage({ error }: { error: unknown }) {
  if (isApiError(error)) {
    return (
      <div className="error-message" data-testid="api-error">
        <p>
          {error.message}{' '}
          <span className="muted">
            ({error.status ? `${error.status} ` : ''}
            {error.code})
          </span>
        </p>
        {error.details.length > 0 ? (
          <ul className="error-details">
            {error.details.map((detail, index) => (
              <li key={index}>
                {detail.path ? <code>{detail.path}</code> : null} {detail.message}
                {detail.line ? <span className="muted"> (line {detail.line})</span> : null}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    );
  }
  return (
    <div className="error-message" data-testid="api-error">
      <p>{error instanceof Error ? error.message : String(error)}</p>
    </div>
  );
}
