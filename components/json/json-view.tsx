import { Fragment, type ReactNode } from 'react';

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Pretty-printed JSON with light colouring of keys, strings, numbers and literals. */
export function JsonView({ value, emptyLabel = 'null', maxHeight }: { value: unknown; emptyLabel?: string; maxHeight?: number }) {
  if (value === undefined || value === null) {
    return <pre className="json-view muted">{emptyLabel}</pre>;
  }
  const text = JSON.stringify(value, null, 2);
  return (
    <pre className="json-view" style={maxHeight ? { maxHeight } : undefined} tabIndex={0}>
      {highlight(text)}
    </pre>
  );
}

function highlight(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const index = match.index;
    if (index > last) {
      parts.push(<Fragment key={`t${last}`}>{text.slice(last, index)}</Fragment>);
    }
    const [whole, string, colon, literal, number] = match;
    if (string !== undefined) {
      parts.push(
        <span key={index} className={colon ? 'json-key' : 'json-string'}>
          {string}
        </span>,
      );
      if (colon) {
        parts.push(<Fragment key={`c${index}`}>{colon}</Fragment>);
      }
    } else if (literal !== undefined) {
      parts.push(
        <span key={index} className="json-literal">
          {literal}
        </span>,
      );
    } else if (number !== undefined) {
      parts.push(
        <span key={index} className="json-number">
          {number}
        </span>,
      );
    }
    last = index + whole.length;
  }
  if (last < text.length) {
    parts.push(<Fragment key={`t${last}`}>{text.slice(last)}</Fragment>);
  }
  return parts;
}
