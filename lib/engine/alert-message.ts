import type { AlertGroupFigures, AlertGroupKey } from '../../db/queries/alerts';
import { toTaskListSearch } from '../api/task-filters';

/**
 * What is POSTed to ALERT_WEBHOOK_URL: Slack's `text` (an incoming webhook shows it as is), and the same
 * facts as fields for any other receiver.
 */
export type AlertPayload = {
  text: string;
  kind: 'failing' | 'resolved';
  template: string;
  namespace: string;
  name: string;
  step: string;
  step_status: string;
  error_signature: string;
  signature: string;
  task_count: number;
  first_failure_at: string | null;
  last_failure_at: string | null;
  /** The Failures view of the group's template, where the group is shown. */
  url: string;
  /** The task list filtered to exactly the group's tasks. */
  tasks_url: string;
};

/** Slack reads &, < and > as markup (`<url|label>`); a signature's `<id>` must show as typed. */
function escapeSlackText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function groupLinks(publicUrl: string, key: AlertGroupKey): { url: string; tasks_url: string } {
  const failures = new URLSearchParams({ namespace: key.namespace, name: key.name });
  const tasks = toTaskListSearch({
    namespace: key.namespace,
    name: key.name,
    step: key.step,
    step_status: key.status,
    error_signature: key.errorSignature,
    ...(key.status === 'error' ? { status: 'error' } : {}),
  });
  return { url: `${publicUrl}/failures?${failures.toString()}`, tasks_url: `${publicUrl}/tasks${tasks}` };
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export function failingAlertPayload(publicUrl: string, key: AlertGroupKey, figures: AlertGroupFigures): AlertPayload {
  const template = `${key.namespace}/${key.name}`;
  const links = groupLinks(publicUrl, key);
  const text =
    `:rotating_light: New failure in ${escapeSlackText(template)}: ${plural(figures.taskCount, 'task')} failed at step ` +
    `*${escapeSlackText(key.step)}* with \`${escapeSlackText(figures.signature)}\`\n` +
    `First failure ${figures.firstFailureAt}, latest ${figures.lastFailureAt}. <${links.url}|Open the failure group>`;
  return {
    text,
    kind: 'failing',
    template,
    namespace: key.namespace,
    name: key.name,
    step: key.step,
    step_status: key.status,
    error_signature: key.errorSignature,
    signature: figures.signature,
    task_count: figures.taskCount,
    first_failure_at: figures.firstFailureAt,
    last_failure_at: figures.lastFailureAt,
    ...links,
  };
}

/** The group emptied: every task of it was retried, resolved or cancelled. `failing` is the message it follows. */
export function resolvedAlertPayload(publicUrl: string, key: AlertGroupKey, failing: Partial<AlertPayload> | undefined): AlertPayload {
  const template = `${key.namespace}/${key.name}`;
  const links = groupLinks(publicUrl, key);
  const signature = typeof failing?.signature === 'string' ? failing.signature : key.errorSignature;
  const text =
    `:white_check_mark: Resolved in ${escapeSlackText(template)}: no task fails at step *${escapeSlackText(key.step)}* ` +
    `with \`${escapeSlackText(signature)}\` any more. <${links.url}|Open the failures>`;
  return {
    text,
    kind: 'resolved',
    template,
    namespace: key.namespace,
    name: key.name,
    step: key.step,
    step_status: key.status,
    error_signature: key.errorSignature,
    signature,
    task_count: 0,
    first_failure_at: failing?.first_failure_at ?? null,
    last_failure_at: failing?.last_failure_at ?? null,
    ...links,
  };
}
