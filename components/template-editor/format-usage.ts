import type { TemplateVersionUsage } from '../../lib/api/types';

/** "2 of 40 (5%)" for the tasks of the last day; "—" when none started in that day. */
export function formatFailureRate(
  usage: Pick<TemplateVersionUsage, 'tasks_last_day' | 'failed_last_day' | 'failure_rate_last_day'> | undefined,
): string {
  if (!usage || usage.failure_rate_last_day === null || usage.tasks_last_day === 0) {
    return '—';
  }
  const percent = usage.failure_rate_last_day * 100;
  const shown = percent === 0 || percent >= 10 ? percent.toFixed(0) : percent.toFixed(1);
  return `${usage.failed_last_day} of ${usage.tasks_last_day} (${shown}%)`;
}

/** Sums the usage of several versions of one template (the list's row). */
export function sumUsage(
  items: readonly TemplateVersionUsage[],
): Pick<TemplateVersionUsage, 'tasks' | 'tasks_last_day' | 'failed_last_day' | 'failure_rate_last_day'> {
  const tasks = items.reduce((total, item) => total + item.tasks, 0);
  const tasksLastDay = items.reduce((total, item) => total + item.tasks_last_day, 0);
  const failedLastDay = items.reduce((total, item) => total + item.failed_last_day, 0);
  return {
    tasks,
    tasks_last_day: tasksLastDay,
    failed_last_day: failedLastDay,
    failure_rate_last_day: tasksLastDay > 0 ? failedLastDay / tasksLastDay : null,
  };
}
