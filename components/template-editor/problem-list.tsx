'use client';

import type { TemplateProblem } from './template-problems';

/** The validator's problems under the editor: line, path and message; choosing one moves the cursor to its line. */
export function ProblemList({ problems, onSelect }: { problems: readonly TemplateProblem[]; onSelect: (line: number) => void }) {
  if (problems.length === 0) {
    return null;
  }
  return (
    <ol className="problem-list" aria-label="Problems" data-testid="template-problems">
      {problems.map((problem, index) => (
        <li key={`${problem.path}:${problem.line ?? 0}:${index}`}>
          <button
            type="button"
            className="problem"
            data-testid="template-problem"
            data-line={problem.line ?? ''}
            data-path={problem.path}
            onClick={() => onSelect(problem.line ?? 1)}
            title="Show this line in the editor"
          >
            <span className="problem-line mono">{problem.line ? `line ${problem.line}` : 'file'}</span>
            <span className="problem-path mono">{problem.path || '/'}</span>
            <span className="problem-message">{problem.message}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
