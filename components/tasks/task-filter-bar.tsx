'use client';

import { useEffect, useId, useState, type FormEvent } from 'react';
import { hasTaskFilters, splitFilterList } from '../../lib/api/task-filters';
import { useTemplateDetail } from '../../lib/api/templates';
import type { TaskFilters } from '../../lib/api/types';
import { STEP_STATUSES, TASK_STATUSES } from '../../lib/statuses';
import { statusLabel } from '../status/status-style';
import { TemplateSelect } from './template-select';

/** `2024-05-01T12:00` (a datetime-local value, read as UTC) ⇄ ISO. */
function toUtcInput(iso: string | undefined): string {
  return iso ? iso.slice(0, 16) : '';
}
function fromUtcInput(value: string): string | undefined {
  return value ? new Date(`${value}:00.000Z`).toISOString() : undefined;
}

/** A list filter as words: `error,cancelled` → "error or cancelled". */
function describeStatusList(value: string): string {
  return splitFilterList(value).map(statusLabel).join(' or ');
}

/**
 * A select of one status that still shows what a link applied: a combination (`status=error,cancelled`)
 * or an unknown value gets an option of its own, selected, instead of the select falling back to "any".
 */
function StatusSelect({
  name,
  value,
  statuses,
  onChange,
}: {
  name: string;
  value: string | undefined;
  statuses: readonly string[];
  onChange: (value: string | undefined) => void;
}) {
  const applied = value ?? '';
  const isOther = applied !== '' && !statuses.includes(applied);
  return (
    <select
      name={name}
      value={applied}
      className={isOther ? 'combined' : undefined}
      title={applied ? describeStatusList(applied) : 'any'}
      onChange={(event) => onChange(event.target.value || undefined)}
    >
      <option value="">any</option>
      {isOther ? <option value={applied}>{describeStatusList(applied)}</option> : null}
      {statuses.map((status) => (
        <option key={status} value={status}>
          {statusLabel(status)}
        </option>
      ))}
    </select>
  );
}

/**
 * Every filter of GET /tasks. Selects apply at once; the text search and step name apply on Enter
 * or "Apply", so typing does not reload the list on every key.
 */
/** "2026-12-05 04:30" from an ISO time. */
function shortUtc(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** A filter the bar has no field for (it came with a link), shown with a button that removes it. */
function FilterChip({ label, value, title, what, onRemove }: { label: string; value: string; title: string; what: string; onRemove: () => void }) {
  return (
    <div className="field">
      <span>{label}</span>
      <span className="filter-chip">
        <code title={title}>{value}</code>
        <button type="button" className="icon-button small" aria-label={`Remove the ${what} filter`} onClick={onRemove}>
          ×
        </button>
      </span>
    </div>
  );
}

export function TaskFilterBar({ filters, onChange }: { filters: TaskFilters; onChange: (filters: TaskFilters) => void }) {
  const id = useId();
  const detail = useTemplateDetail(filters.namespace ?? '', filters.name ?? '');
  const [q, setQ] = useState(filters.q ?? '');
  const [step, setStep] = useState(filters.step ?? '');
  const [after, setAfter] = useState(toUtcInput(filters.created_after));
  const [before, setBefore] = useState(toUtcInput(filters.created_before));
  // The URL is the source of truth: follow it when it changes (back button, a shared link).
  useEffect(() => {
    setQ(filters.q ?? '');
    setStep(filters.step ?? '');
    setAfter(toUtcInput(filters.created_after));
    setBefore(toUtcInput(filters.created_before));
  }, [filters.q, filters.step, filters.created_after, filters.created_before]);
  const set = (patch: Partial<TaskFilters>) => onChange({ ...filters, ...patch });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    set({ q: q.trim() || undefined, step: step.trim() || undefined, created_after: fromUtcInput(after), created_before: fromUtcInput(before) });
  };
  const stepNames = detail.data?.dag.nodes.map((node) => node.id) ?? [];
  return (
    <form className="filter-bar" role="search" aria-label="Filter tasks" onSubmit={submit} data-testid="task-filters">
      <label className="field grow">
        <span>search in context</span>
        <input type="search" name="q" value={q} onChange={(event) => setQ(event.target.value)} placeholder="e-mail, name, id…" />
      </label>
      <label className="field">
        <span>status</span>
        <StatusSelect name="status" value={filters.status} statuses={TASK_STATUSES} onChange={(status) => set({ status })} />
      </label>
      <TemplateSelect
        value={{ namespace: filters.namespace, name: filters.name }}
        onChange={({ namespace, name }) => set({ namespace, name })}
        anyLabel="any"
      />
      <label className="field">
        <span>step</span>
        <input name="step" list={`${id}-steps`} value={step} onChange={(event) => setStep(event.target.value)} placeholder="step name" />
        <datalist id={`${id}-steps`}>
          {stepNames.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </label>
      <label className="field">
        <span>step status</span>
        <StatusSelect name="step_status" value={filters.step_status} statuses={STEP_STATUSES} onChange={(step_status) => set({ step_status })} />
      </label>
      <label className="field">
        <span>repairs</span>
        <select
          name="repaired"
          value={filters.repaired ?? ''}
          title="Tasks with a step an operator resolved or skipped (completed with repairs, once complete)"
          onChange={(event) => set({ repaired: event.target.value || undefined })}
        >
          <option value="">any</option>
          <option value="true">repaired</option>
          <option value="false">not repaired</option>
        </select>
      </label>
      <label className="field">
        <span>created after (UTC)</span>
        <input type="datetime-local" name="created_after" value={after} onChange={(event) => setAfter(event.target.value)} />
      </label>
      <label className="field">
        <span>created before (UTC)</span>
        <input type="datetime-local" name="created_before" value={before} onChange={(event) => setBefore(event.target.value)} />
      </label>
      {filters.error_signature ? (
        <FilterChip
          label="failure group"
          value={`${filters.error_signature.slice(0, 8)}…`}
          title={filters.error_signature}
          what="failure-group"
          onRemove={() => set({ error_signature: undefined })}
        />
      ) : null}
      {filters.failed_after ? (
        <FilterChip
          label="failed after (UTC)"
          value={shortUtc(filters.failed_after)}
          title={filters.failed_after}
          what="failed-after"
          onRemove={() => set({ failed_after: undefined })}
        />
      ) : null}
      {filters.bulk_action ? (
        <FilterChip
          label="bulk action"
          value={`#${filters.bulk_action}`}
          title={`the tasks bulk action #${filters.bulk_action} changed`}
          what="bulk-action"
          onRemove={() => set({ bulk_action: undefined })}
        />
      ) : null}
      {filters.retrying_before ? (
        <FilterChip
          label="retrying since before (UTC)"
          value={shortUtc(filters.retrying_before)}
          title={`steps waiting to retry whose current round began before ${filters.retrying_before}: stuck`}
          what="retrying-before"
          onRemove={() => set({ retrying_before: undefined })}
        />
      ) : null}
      <div className="filter-actions">
        <button type="submit" className="button">
          Apply
        </button>
        {hasTaskFilters(filters) ? (
          <button type="button" className="button subtle" onClick={() => onChange({})}>
            Clear
          </button>
        ) : null}
      </div>
    </form>
  );
}
