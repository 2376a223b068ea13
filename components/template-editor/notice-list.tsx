'use client';

import { noticeKind, type NoticeKind } from '../../lib/api/tasker-notices';
import type { TemplateProblem } from './template-problems';

const GROUPS: { kind: NoticeKind; title: string; hint: string }[] = [
  { kind: 'mapped', title: 'Mapped', hint: "Tasker keys read as Switchyard's: a class name to a handler, a URL to a service…" },
  { kind: 'no_effect', title: 'No effect here', hint: 'Accepted and kept in the saved YAML, but Switchyard does nothing with them.' },
];

/**
 * What reading a Tasker template did (the validator's `notices`): what was mapped, and what is
 * accepted with no effect here, each with its line and path; choosing one moves the cursor to its line.
 */
export function NoticeList({ notices, onSelect }: { notices: readonly TemplateProblem[]; onSelect: (line: number) => void }) {
  if (notices.length === 0) {
    return null;
  }
  return (
    <section className="notice-groups" aria-label="Read from Tasker's format" data-testid="tasker-notices">
      <p className="notice-groups-title">
        Read from Tasker&apos;s format: {notices.length} {notices.length === 1 ? 'notice' : 'notices'}. Saving keeps the YAML as written.
      </p>
      {GROUPS.map(({ kind, title, hint }) => {
        const items = notices.filter((notice) => noticeKind(notice.message) === kind);
        if (items.length === 0) {
          return null;
        }
        return (
          <div key={kind} className={`notice-group notice-${kind}`}>
            <h3 title={hint}>
              {title} <span className="tab-count">{items.length}</span>
            </h3>
            <ol className="problem-list notice-list" aria-label={title}>
              {items.map((notice, index) => (
                <li key={`${notice.path}:${notice.line ?? 0}:${index}`}>
                  <button
                    type="button"
                    className="problem"
                    data-testid="template-notice"
                    data-kind={kind}
                    data-line={notice.line ?? ''}
                    data-path={notice.path}
                    onClick={() => onSelect(notice.line ?? 1)}
                    title="Show this line in the editor"
                  >
                    <span className="problem-line mono">{notice.line ? `line ${notice.line}` : 'file'}</span>
                    <span className="problem-path mono">{notice.path || '/'}</span>
                    <span className="problem-message">{notice.message}</span>
                  </button>
                </li>
              ))}
            </ol>
          </div>
        );
      })}
    </section>
  );
}

/** The colours of the editor's marks: problems, keys with no effect here, keys mapped from Tasker. */
export function DiagnosticLegend({ problems, notices }: { problems: number; notices: readonly TemplateProblem[] }) {
  const noEffect = notices.filter((notice) => noticeKind(notice.message) === 'no_effect').length;
  const mapped = notices.length - noEffect;
  return (
    <p className="diagnostic-legend small" aria-label="Marks in the editor" data-testid="diagnostic-legend">
      <span className="legend-item legend-error">
        {problems} {problems === 1 ? 'problem' : 'problems'}
      </span>
      <span className="legend-item legend-no_effect">{noEffect} with no effect here</span>
      <span className="legend-item legend-mapped">{mapped} mapped from Tasker</span>
    </p>
  );
}
