'use client';

import { useRouter } from 'next/navigation';
import { Fragment, useMemo } from 'react';
import { EmptyState } from '../../components/feedback/empty-state';
import { ErrorState } from '../../components/feedback/error-state';
import { LoadingState } from '../../components/feedback/loading-state';
import { StaleDataNotice } from '../../components/feedback/stale-data-notice';
import { Link } from '../../components/shell/link';
import { focusSiblingRow } from '../../components/table/focus-sibling-row';
import { formatFailureRate, sumUsage } from '../../components/template-editor/format-usage';
import '../../components/template-editor/template-studio.css';
import { taskListHref } from '../../lib/api/task-filters';
import { useTemplateUsage } from '../../lib/api/template-studio';
import { useTemplateList } from '../../lib/api/templates';
import type { TemplateListItem, TemplateVersionUsage } from '../../lib/api/types';

const templateHref = (namespace: string, name: string) => `/templates/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;

/** Templates grouped by namespace (sorted), names sorted within each. */
function groupByNamespace(items: readonly TemplateListItem[]): [string, TemplateListItem[]][] {
  const groups = new Map<string, TemplateListItem[]>();
  for (const item of [...items].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))) {
    groups.set(item.namespace, [...(groups.get(item.namespace) ?? []), item]);
  }
  return [...groups.entries()];
}

/**
 * The template list. Rows are focusable, as in the task list: Enter opens the template, the arrow keys
 * move between rows. The "tasks" and "failed" counts are links of their own and take Tab stops; the
 * name link opens what Enter opens, so it takes none.
 */
export function TemplatesPageClient() {
  const templates = useTemplateList();
  const usage = useTemplateUsage();
  const router = useRouter();
  const items = useMemo(() => templates.data ?? [], [templates.data]);
  const groups = useMemo(() => groupByNamespace(items), [items]);
  const usageByTemplate = useMemo(() => {
    const byTemplate = new Map<string, Map<string, TemplateVersionUsage>>();
    for (const item of usage.data ?? []) {
      const key = `${item.namespace}/${item.name}`;
      const versions = byTemplate.get(key) ?? new Map<string, TemplateVersionUsage>();
      versions.set(item.version, item);
      byTemplate.set(key, versions);
    }
    return byTemplate;
  }, [usage.data]);
  return (
    <>
      <header className="page-header">
        <div>
          <h1>Templates</h1>
          <p>Every template by namespace, with its versions and how they are used. A task runs the version it started with.</p>
        </div>
        <div className="header-actions">
          <Link className="button primary" href="/templates/new" data-testid="new-template">
            New template
          </Link>
        </div>
      </header>
      <StaleDataNotice query={templates} refetch={templates.refetch} polling={false} what="the templates" />
      <StaleDataNotice query={usage} refetch={usage.refetch} polling={false} what="how the templates are used" />
      <div className="table-card">
        {templates.isPending ? <LoadingState rows={4} label="Loading templates…" /> : null}
        {templates.isError && !templates.data ? (
          <ErrorState error={templates.error} title="Could not load the templates" onRetry={() => void templates.refetch()} />
        ) : null}
        {usage.isError && !usage.data ? (
          <ErrorState error={usage.error} title="Could not load how the templates are used" onRetry={() => void usage.refetch()} />
        ) : null}
        {templates.data && items.length === 0 ? (
          <EmptyState title="No templates">
            <p>
              <Link href="/templates/new">Write one</Link>, add a YAML file to <code>templates/</code> and restart, or{' '}
              <code>POST /api/v1/templates</code>.
            </p>
          </EmptyState>
        ) : null}
        {items.length > 0 ? (
          <table className="data-table template-list" data-testid="template-table">
            <thead>
              <tr>
                <th scope="col">name</th>
                <th scope="col">versions · tasks of each</th>
                <th scope="col" className="num">
                  steps
                </th>
                <th scope="col" className="num">
                  tasks
                </th>
                <th scope="col" className="num" title="Of the tasks started in the last 24 hours, those in error now">
                  failed, last day
                </th>
                <th scope="col">description</th>
              </tr>
            </thead>
            <tbody>
              {groups.map(([namespace, group]) => (
                <Fragment key={namespace}>
                  <tr className="namespace-row" data-namespace={namespace}>
                    <th scope="rowgroup" colSpan={6}>
                      <span className="muted small">namespace</span> <span className="mono">{namespace}</span>
                    </th>
                  </tr>
                  {group.map((template) => {
                    const versionUsage = usageByTemplate.get(`${template.namespace}/${template.name}`);
                    const total = sumUsage([...(versionUsage?.values() ?? [])]);
                    const href = templateHref(template.namespace, template.name);
                    return (
                      <tr
                        key={`${template.namespace}/${template.name}`}
                        data-testid="template-row"
                        data-namespace={template.namespace}
                        data-name={template.name}
                        data-keyboard-row
                        data-row-key={`${template.namespace}/${template.name}`}
                        tabIndex={0}
                        onKeyDown={(event) => {
                          if (event.target !== event.currentTarget) {
                            return;
                          }
                          if (event.key === 'Enter') {
                            event.preventDefault();
                            router.push(href);
                          } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                            event.preventDefault();
                            focusSiblingRow(event.currentTarget, event.key === 'ArrowDown' ? 1 : -1);
                          }
                        }}
                        onClick={(event) => {
                          if (!(event.target as HTMLElement).closest('a')) {
                            router.push(href);
                          }
                        }}
                      >
                        <td>
                          <Link href={href} className="template-name" tabIndex={-1}>
                            {template.name}
                          </Link>
                          {template.active === false ? <span className="muted small"> inactive</span> : null}
                        </td>
                        <td>
                          <ul className="version-chips">
                            {(template.versions.length > 0 ? template.versions : [template.version]).map((version, index) => (
                              <li key={version} className={index === 0 ? 'newest' : undefined} data-version={version}>
                                <span className="mono">{version}</span>
                                <span className="muted"> · {versionUsage?.get(version)?.tasks ?? 0}</span>
                              </li>
                            ))}
                          </ul>
                        </td>
                        <td className="num">{template.step_count}</td>
                        <td className="num">
                          <Link
                            href={taskListHref({ namespace: template.namespace, name: template.name })}
                            aria-label={`${total.tasks} tasks of ${template.namespace}/${template.name}`}
                          >
                            {total.tasks}
                          </Link>
                        </td>
                        <td className={`num${total.failed_last_day > 0 ? ' danger-text' : ''}`} data-testid="failure-rate">
                          {total.failed_last_day > 0 ? (
                            <Link
                              href={taskListHref({ namespace: template.namespace, name: template.name, status: 'error' })}
                              aria-label={`Tasks in error of ${template.namespace}/${template.name}; ${formatFailureRate(total)} failed in the last day`}
                            >
                              {formatFailureRate(total)}
                            </Link>
                          ) : (
                            formatFailureRate(total)
                          )}
                        </td>
                        <td className="muted description-cell" title={template.description ?? undefined}>
                          {template.description}
                        </td>
                      </tr>
                    );
                  })}
                </Fragment>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </>
  );
}
