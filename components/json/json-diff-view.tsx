import type { JsonChange } from './json-diff';

const short = (value: unknown) => JSON.stringify(value);

/** A change list: one line per changed path, before struck through, after highlighted. */
export function JsonDiffView({ changes, testId = 'json-diff' }: { changes: JsonChange[]; testId?: string }) {
  if (changes.length === 0) {
    return <p className="muted">No changes.</p>;
  }
  return (
    <ul className="json-diff" data-testid={testId}>
      {changes.map((change) => (
        <li key={`${change.kind}:${change.path}`} className={`diff-${change.kind}`}>
          <code className="diff-path">{change.path}</code>
          {change.kind !== 'added' ? <del>{short(change.before)}</del> : null}
          {change.kind === 'changed' ? <span aria-hidden="true"> → </span> : null}
          {change.kind !== 'removed' ? <ins>{short(change.after)}</ins> : null}
          <span className="diff-kind">{change.kind}</span>
        </li>
      ))}
    </ul>
  );
}
