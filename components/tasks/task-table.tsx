'use client';

import { useRouter } from 'next/navigation';
import type { KeyboardEvent, MouseEvent } from 'react';
import type { TaskListItem } from '../../lib/api/types';
import { UNFINISHED_STEP_STATUSES } from '../../lib/statuses';
import { Link } from '../shell/link';
import { StatusBadge } from '../status/status-badge';
import { StatusIcon } from '../status/status-icon';
import { focusSiblingRow } from '../table/focus-sibling-row';
import { RelativeTime } from '../time/relative-time';
import { keyContextFields } from './context-fields';
import { RepairsBadge } from './repairs-badge';
import { WaitingReasonText } from './waiting-reason';

/** A failure's signature in at most `max` characters, for a table cell (the whole in its title). */
function shortSignature(signature: string, max = 40): string {
  return signature.length > max ? `${signature.slice(0, max - 1)}…` : signature;
}

function currentSteps(task: TaskListItem) {
  // The step to look at first: failed, then retrying, then running, then queued.
  const order: readonly string[] = UNFINISHED_STEP_STATUSES;
  return [...task.open_steps].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status));
}

/**
 * The task list. Rows are focusable: Enter opens the task, Space toggles its checkbox, the arrow keys
 * move between rows; the checkbox is reachable with Tab too. The task's link opens what Enter opens,
 * so it takes no Tab stop of its own.
 */
export function TaskTable({
  tasks,
  selected,
  onToggle,
  onToggleAll,
}: {
  tasks: TaskListItem[];
  selected: ReadonlySet<string>;
  onToggle: (taskId: string) => void;
  onToggleAll: (select: boolean) => void;
}) {
  const router = useRouter();
  const allSelected = tasks.length > 0 && tasks.every((task) => selected.has(task.id));
  const someSelected = tasks.some((task) => selected.has(task.id));
  const open = (taskId: string) => router.push(`/tasks/${encodeURIComponent(taskId)}`);
  const onRowKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, taskId: string) => {
    if (event.target !== event.currentTarget) {
      return;
    }
    if (event.key === 'Enter') {
      event.preventDefault();
      open(taskId);
    } else if (event.key === ' ') {
      event.preventDefault();
      onToggle(taskId);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      focusSiblingRow(event.currentTarget, event.key === 'ArrowDown' ? 1 : -1);
    }
  };
  const onRowClick = (event: MouseEvent<HTMLTableRowElement>, taskId: string) => {
    const target = event.target as HTMLElement;
    if (target.closest('a, button, input, label')) {
      return;
    }
    open(taskId);
  };
  return (
    <table className="data-table task-table" data-testid="task-table">
      <thead>
        <tr>
          <th scope="col" className="select-cell">
            <input
              type="checkbox"
              aria-label="Select every task on this page"
              checked={allSelected}
              ref={(input) => {
                if (input) {
                  input.indeterminate = someSelected && !allSelected;
                }
              }}
              onChange={(event) => onToggleAll(event.target.checked)}
            />
          </th>
          <th scope="col">task</th>
          <th scope="col">template</th>
          <th scope="col">status</th>
          <th scope="col">current step</th>
          <th scope="col">last error</th>
          <th scope="col" className="num">
            attempts
          </th>
          <th scope="col">steps done</th>
          <th scope="col">key fields</th>
          <th scope="col">age</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => {
          const steps = currentSteps(task);
          const first = steps[0];
          const fields = keyContextFields(task.context);
          const attempts = steps.reduce((max, step) => Math.max(max, step.attempts), 0);
          return (
            <tr
              key={task.id}
              tabIndex={0}
              className={selected.has(task.id) ? 'selected' : undefined}
              aria-selected={selected.has(task.id)}
              data-task-id={task.id}
              data-keyboard-row
              data-row-key={task.id}
              onKeyDown={(event) => onRowKeyDown(event, task.id)}
              onClick={(event) => onRowClick(event, task.id)}
            >
              <td className="select-cell">
                <input type="checkbox" aria-label={`Select task ${task.id}`} checked={selected.has(task.id)} onChange={() => onToggle(task.id)} />
              </td>
              <td className="mono">
                <Link href={`/tasks/${encodeURIComponent(task.id)}`} tabIndex={-1}>
                  #{task.id}
                </Link>
              </td>
              <td title={`${task.namespace}/${task.name} version ${task.version}`}>
                <span className="template-name">{task.name}</span>
              </td>
              <td>
                <StatusBadge status={task.status} /> <RepairsBadge taskStatus={task.status} repairedSteps={task.repaired_steps} />
              </td>
              <td>
                {first ? (
                  <span className="current-step" title={`${first.name}: ${first.status.replaceAll('_', ' ')}`}>
                    <StatusIcon status={first.status} />
                    <span className="sr-only">{first.status.replaceAll('_', ' ')}</span> <span className="mono">{first.name}</span>
                    {steps.length > 1 ? <span className="muted small"> +{steps.length - 1}</span> : null}
                  </span>
                ) : (
                  <span className="muted">—</span>
                )}
                {task.waiting_reason ? (
                  <div>
                    <WaitingReasonText reason={task.waiting_reason} />
                  </div>
                ) : null}
              </td>
              <td className="last-error">
                {task.last_error ? (
                  <span
                    className="mono small"
                    data-testid="task-last-error"
                    title={`${task.last_error.step}: ${task.last_error.message}\nsignature: ${task.last_error.signature}`}
                  >
                    {shortSignature(task.last_error.signature)}
                  </span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
              <td className="num">{attempts || <span className="muted">—</span>}</td>
              <td>
                <span
                  className="progress"
                  data-testid="task-steps-done"
                  title={`${task.steps_done} of ${task.step_count} steps done${task.steps_undone > 0 ? `, ${task.steps_undone} undone by compensation` : ''}`}
                >
                  <span className="progress-bar">
                    <span style={{ width: `${task.step_count ? (task.steps_done / task.step_count) * 100 : 0}%` }} />
                  </span>
                  {task.steps_done}/{task.step_count}
                  {task.steps_undone > 0 ? <span className="muted small"> · {task.steps_undone} undone</span> : null}
                </span>
              </td>
              <td className="key-fields">
                {fields.length === 0 ? <span className="muted">—</span> : null}
                {fields.map((field) => (
                  <span key={field.path} title={field.path} className="key-field">
                    {field.value}
                  </span>
                ))}
              </td>
              <td title={`last change ${task.updated_at}`}>
                <RelativeTime iso={task.created_at} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
