'use client';

import { useId, useRef, useState } from 'react';
import { useSkipStep } from '../../lib/api/tasks';
import type { StepSummary, TaskDetail } from '../../lib/api/types';
import { ErrorMessage } from '../feedback/error-state';

/** Skip a skippable step, with a required reason: its dependents run without its results. */
export function SkipStepForm({
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
  const [reason, setReason] = useState(initialReason);
  const skip = useSkipStep(task.id);
  const reasonMissing = reason.trim() === '';
  const [reasonRequired, setReasonRequired] = useState(false);
  const reasonInput = useRef<HTMLInputElement>(null);
  const reasonProblem = reasonRequired && reasonMissing;
  return (
    <form
      className="inline-form"
      data-testid="skip-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (reasonMissing) {
          setReasonRequired(true);
          reasonInput.current?.focus();
          return;
        }
        skip.mutate({ step: step.name, reason: reason.trim() }, { onSuccess: onDone });
      }}
    >
      <p>
        Skip <span className="mono">{step.name}</span>? The steps that need it run without its results.
      </p>
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
          placeholder="e.g. free plan: no welcome emails"
        />
      </label>
      <p id={`${id}-reason-status`} className={reasonProblem ? 'field-error' : 'field-hint'}>
        {reasonProblem ? 'The reason is required: say why you skip this step' : reasonMissing ? 'A reason is required.' : null}
      </p>
      {skip.isError ? <ErrorMessage error={skip.error} /> : null}
      <div className="action-row">
        <button type="submit" className="button primary" disabled={skip.isPending}>
          {skip.isPending ? 'Skipping…' : 'Skip step'}
        </button>
        <button type="button" className="button subtle" onClick={onDone}>
          Keep it
        </button>
      </div>
    </form>
  );
}
