'use client';

import { useId, useRef, useState } from 'react';
import { isApiError, type ApiErrorDetail } from '../../lib/api/api-error';
import { useResolveStep } from '../../lib/api/tasks';
import type { StepSummary, TaskDetail } from '../../lib/api/types';
import { ErrorMessage } from '../feedback/error-state';
import { JsonEditor, readJsonEditorValue, requireObject } from '../json/json-editor';
import { JsonView } from '../json/json-view';
import { buildResultsSkeleton } from './results-skeleton';

/** The results to start from: what the step has, else a skeleton of its results_schema, else `{}`. */
function initialResults(step: StepSummary): unknown {
  if (step.results !== null && step.results !== undefined) {
    return step.results;
  }
  return step.results_schema ? buildResultsSkeleton(step.results_schema) : {};
}

/** `/results/billing/id` → `billing.id`; the results themselves → "results". */
function describeResultsPath(path: string): string {
  const inside = path.replace(/^\/results/, '');
  return inside === ''
    ? 'results'
    : inside
        .slice(1)
        .split('/')
        .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
        .join('.');
}

/**
 * Resolve a step by hand: the results its dependents will receive (prefilled with a skeleton of the step's
 * results_schema when the template declares one) and a required reason. The server checks the results
 * against the schema; each problem it finds is shown beside the results, by path, and nothing is written.
 */
export function ResolveStepForm({
  task,
  step,
  initialReason,
  onDone,
}: {
  task: TaskDetail;
  step: StepSummary;
  initialReason: string;
  onDone: () => void;
}) {
  const id = useId();
  const initial = initialResults(step);
  const [text, setText] = useState(() => JSON.stringify(initial, null, 2));
  const [reason, setReason] = useState(initialReason);
  const resolve = useResolveStep(task.id);
  const validate = typeof initial === 'object' && initial !== null && !Array.isArray(initial) ? requireObject : undefined;
  const parsed = readJsonEditorValue(text, validate);
  const details: ApiErrorDetail[] = resolve.isError && isApiError(resolve.error) ? resolve.error.details : [];
  const resultsProblems = details.filter((detail) => detail.path === '/results' || detail.path.startsWith('/results/'));
  const reasonProblems = details.filter((detail) => detail.path === '/reason');
  const otherError = resolve.isError && resultsProblems.length === 0 && reasonProblems.length === 0;
  const reasonMissing = reason.trim() === '';
  // Said once the operator tried to resolve without one; the button stays enabled (and focusable) meanwhile.
  const [reasonRequired, setReasonRequired] = useState(false);
  const reasonInput = useRef<HTMLInputElement>(null);
  const reasonProblem = reasonProblems[0]?.message ?? (reasonRequired && reasonMissing ? 'is required: say why you resolve this step' : undefined);
  return (
    <form
      className="inline-form"
      data-testid="resolve-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (reasonMissing) {
          setReasonRequired(true);
          reasonInput.current?.focus();
          return;
        }
        if (parsed) {
          resolve.mutate({ step: step.name, results: parsed.value, reason: reason.trim() }, { onSuccess: onDone });
        }
      }}
    >
      <p className="muted small">
        The step becomes <strong>resolved manually</strong> with these results, and the steps that need it run with them.
        {step.results_schema
          ? ' Its template says what they must hold (results_schema): the required fields are filled in below for you to complete.'
          : null}
      </p>
      {step.results_schema ? (
        <details className="small">
          <summary>The results_schema of {step.name}</summary>
          <JsonView value={step.results_schema} maxHeight={200} />
        </details>
      ) : null}
      <label className="field" htmlFor={`${id}-reason`}>
        <span>Reason (required; recorded in the audit trail)</span>
        <input
          id={`${id}-reason`}
          ref={reasonInput}
          value={reason}
          aria-required="true"
          aria-invalid={reasonProblem ? true : undefined}
          aria-describedby={`${id}-reason-status`}
          onChange={(event) => setReason(event.target.value)}
          placeholder="e.g. billing profile created by hand in the billing console"
        />
      </label>
      <p id={`${id}-reason-status`} className={reasonProblem ? 'field-error' : 'field-hint'} data-testid="resolve-reason-status">
        {reasonProblem ? `The reason ${reasonProblem}` : reasonMissing ? 'A reason is required.' : null}
      </p>
      <JsonEditor
        label="Results (JSON)"
        value={text}
        onChange={(next) => {
          setText(next);
          resolve.reset();
        }}
        rows={8}
        validate={validate}
        testId="resolve-results"
      />
      {resultsProblems.length > 0 ? (
        <div className="field-error" role="alert" data-testid="resolve-results-problems">
          {resolve.error instanceof Error ? resolve.error.message : 'The results were refused'}; nothing was changed:
          <ul className="results-problems">
            {resultsProblems.map((detail) => (
              <li key={`${detail.path}:${detail.message}`} data-path={detail.path}>
                <code>{describeResultsPath(detail.path)}</code> {detail.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {otherError ? <ErrorMessage error={resolve.error} /> : null}
      <div className="action-row">
        <button type="submit" className="button primary" disabled={!parsed || resolve.isPending}>
          {resolve.isPending ? 'Resolving…' : 'Resolve step'}
        </button>
        <button type="button" className="button subtle" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
