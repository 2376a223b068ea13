'use client';

import { useState } from 'react';
import { taskListHref } from '../../lib/api/task-filters';
import type { Overview, TaskStatusCounts } from '../../lib/api/types';
import { TASK_STATUSES } from '../../lib/statuses';
import { EmptyState } from '../feedback/empty-state';
import { Link } from '../shell/link';
import { statusLabel, statusTone } from '../status/status-style';

const HOUR_MS = 3_600_000;
const EVERY_TEMPLATE = '';

type Template = { namespace: string; name: string; total: number };

const templateKey = (template: { namespace: string; name: string }) => `${template.namespace}/${template.name}`;
const count = (value: number) => value.toLocaleString('en-US');

/** The templates with tasks in these hours, the busiest first. */
function templatesOf(hours: Overview['created_per_hour']['hours']): Template[] {
  const templates = new Map<string, Template>();
  for (const hour of hours) {
    for (const entry of hour.by_template) {
      const template = templates.get(templateKey(entry)) ?? { namespace: entry.namespace, name: entry.name, total: 0 };
      template.total += entry.total;
      templates.set(templateKey(entry), template);
    }
  }
  return [...templates.values()].sort((a, b) => b.total - a.total || templateKey(a).localeCompare(templateKey(b)));
}

/**
 * Tasks created per hour over the last 24 UTC hours, stacked by their status now, for every template
 * or the one chosen. Each bar links to that hour's tasks, each legend entry to the day's tasks in that status.
 */
export function HourlyHistogram({ createdPerHour }: { createdPerHour: Overview['created_per_hour'] }) {
  const [selected, setSelected] = useState(EVERY_TEMPLATE);
  const templates = templatesOf(createdPerHour.hours);
  const template = templates.find((item) => templateKey(item) === selected);
  const scope = template ? { namespace: template.namespace, name: template.name } : {};
  const hours = createdPerHour.hours.map((hour) => {
    const counts = template ? hour.by_template.find((item) => templateKey(item) === templateKey(template)) : hour;
    return { start: hour.start, total: counts?.total ?? 0, by_status: counts?.by_status ?? {} };
  });
  const total = hours.reduce((sum, hour) => sum + hour.total, 0);
  const byStatus: TaskStatusCounts = {};
  for (const hour of hours) {
    for (const status of TASK_STATUSES) {
      if (hour.by_status[status]) {
        byStatus[status] = (byStatus[status] ?? 0) + (hour.by_status[status] ?? 0);
      }
    }
  }
  const peak = Math.max(0, ...hours.map((hour) => hour.total));
  const day = { ...scope, created_after: createdPerHour.since, created_before: createdPerHour.until };
  return (
    <section className="card" data-testid="created-per-hour">
      <div className="card-header">
        <h2>Tasks created per hour</h2>
        <label className="histogram-template">
          <span className="muted small">template</span>
          <select
            value={template ? selected : EVERY_TEMPLATE}
            onChange={(event) => setSelected(event.target.value)}
            aria-label="Template shown in the histogram"
          >
            <option value={EVERY_TEMPLATE}>all templates</option>
            {templates.map((item) => (
              <option key={templateKey(item)} value={templateKey(item)}>
                {templateKey(item)} ({count(item.total)})
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="histogram-summary small">
        <Link href={taskListHref(day)} data-testid="created-last-24h">
          {count(total)} task{total === 1 ? '' : 's'}
        </Link>{' '}
        <span className="muted">in the last 24 h{total > 0 ? `, at most ${count(peak)} an hour; click an hour for its tasks` : ''}</span>
      </p>
      {total === 0 ? (
        <EmptyState title={template ? `No ${template.name} tasks were created in the last 24 hours` : 'No tasks were created in the last 24 hours'} />
      ) : (
        <>
          <div className="histogram" role="list" aria-label="Tasks created per hour">
            {hours.map((hour) => {
              const end = new Date(Date.parse(hour.start) + HOUR_MS).toISOString();
              const label = `${hour.start.slice(11, 16)}–${end.slice(11, 16)} UTC: ${count(hour.total)} task${hour.total === 1 ? '' : 's'}${
                hour.total
                  ? ` (${TASK_STATUSES.filter((status) => hour.by_status[status])
                      .map((status) => `${count(hour.by_status[status] ?? 0)} ${statusLabel(status)}`)
                      .join(', ')})`
                  : ''
              }`;
              return (
                <Link
                  key={hour.start}
                  role="listitem"
                  href={taskListHref({ ...scope, created_after: hour.start, created_before: end })}
                  className="histogram-bar"
                  title={label}
                  aria-label={label}
                >
                  {TASK_STATUSES.filter((status) => hour.by_status[status]).map((status) => (
                    <span
                      key={status}
                      className={`tone-${statusTone(status)}`}
                      style={{ height: `${((hour.by_status[status] ?? 0) / Math.max(peak, 1)) * 100}%` }}
                    />
                  ))}
                </Link>
              );
            })}
          </div>
          <div className="histogram-axis" aria-hidden="true">
            <span>{hours[0]?.start.slice(11, 16)} UTC</span>
            <span>{hours[12]?.start.slice(11, 16)}</span>
            <span>now</span>
          </div>
          <div className="legend histogram-legend">
            {TASK_STATUSES.filter((status) => byStatus[status]).map((status) => (
              <Link key={status} href={taskListHref({ ...day, status })}>
                <span className={`legend-swatch tone-${statusTone(status)}`} aria-hidden="true" />
                {count(byStatus[status] ?? 0)} {statusLabel(status)}
              </Link>
            ))}
          </div>
        </>
      )}
    </section>
  );
}
