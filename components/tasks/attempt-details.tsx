'use client';

import type { Attempt, AttemptLogLine, AttemptRequest, AttemptResponse } from '../../lib/api/types';
import { JsonView } from '../json/json-view';
import './attempt-details.css';

/**
 * Inside one attempt: the last service call's request and response (secrets already redacted by the
 * server, bodies cut at a stated size) and the handler's log lines. Collapsed to one line; a native
 * disclosure, so Tab reaches it and Enter or Space opens it.
 */
export function AttemptDetails({ attempt }: { attempt: Attempt }) {
  const { request, response, logs, service_calls: serviceCalls } = attempt;
  if (request === null && logs.length === 0) {
    return null;
  }
  return (
    <details className="attempt-details" data-testid="attempt-details">
      <summary>{summarize(attempt)}</summary>
      <div className="attempt-details-body">
        {serviceCalls > 1 ? <p className="muted small">{serviceCalls} service calls in this attempt; the last one is shown.</p> : null}
        {request ? <RequestView request={request} /> : null}
        {request ? <ResponseView response={response} /> : null}
        {logs.length > 0 ? <LogLines logs={logs} /> : null}
      </div>
    </details>
  );
}

function summarize({ request, response, logs }: Attempt): string {
  const parts: string[] = [];
  if (request) {
    const answer = response ? `→ ${response.status}` : '→ no answer';
    parts.push(`${request.method} ${request.service} ${request.path} ${answer}`);
  }
  if (logs.length > 0) {
    parts.push(`${logs.length} log line${logs.length === 1 ? '' : 's'}`);
  }
  return parts.join(' · ');
}

function RequestView({ request }: { request: AttemptRequest }) {
  return (
    <section className="attempt-exchange" aria-label="Request" data-testid="attempt-request">
      <h4>
        Request <code>{request.method}</code> <span className="muted">{request.service}</span> <code className="attempt-path">{request.path}</code>
      </h4>
      <HeaderList headers={request.headers} />
      <Body body={request.body} cut={request.body_cut} emptyLabel="no body" />
    </section>
  );
}

function ResponseView({ response }: { response: AttemptResponse | null }) {
  if (response === null) {
    return (
      <section className="attempt-exchange" aria-label="Response" data-testid="attempt-response">
        <h4>Response</h4>
        <p className="muted small">No answer came (a timeout, a network error, or the attempt was stopped).</p>
      </section>
    );
  }
  return (
    <section className="attempt-exchange" aria-label="Response" data-testid="attempt-response">
      <h4>
        Response <code className={response.status >= 400 ? 'attempt-status-error' : undefined}>{response.status}</code>
      </h4>
      <HeaderList headers={response.headers} />
      <Body body={response.body} cut={response.body_cut} emptyLabel="empty body" />
    </section>
  );
}

function HeaderList({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) {
    return null;
  }
  return (
    <dl className="attempt-headers">
      {entries.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd className={value === '[redacted]' ? 'muted' : undefined}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Body({ body, cut, emptyLabel }: { body: unknown; cut: boolean; emptyLabel: string }) {
  return (
    <div className="attempt-body">
      {cut ? (
        <p className="attempt-cut small" data-testid="attempt-body-cut">
          Cut: only the first 8192 characters were kept.
        </p>
      ) : null}
      {typeof body === 'string' ? (
        <pre className="json-view" tabIndex={0}>
          {body}
        </pre>
      ) : (
        <JsonView value={body} emptyLabel={emptyLabel} maxHeight={240} />
      )}
    </div>
  );
}

function LogLines({ logs }: { logs: AttemptLogLine[] }) {
  return (
    <section className="attempt-exchange" aria-label="Log lines" data-testid="attempt-logs">
      <h4>Log lines</h4>
      <ol className="attempt-logs">
        {logs.map((line, index) => (
          <li key={index} data-level={line.level}>
            <time dateTime={line.at} className="muted">
              {line.at.slice(11, 23)}
            </time>
            <span className={`attempt-log-level attempt-log-${line.level}`}>{line.level}</span>
            <span className="attempt-log-message">{line.message}</span>
            {line.fields !== null && line.fields !== undefined ? <code className="attempt-log-fields">{JSON.stringify(line.fields)}</code> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
