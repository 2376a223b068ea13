'use client';

import { useState } from 'react';
import { useTemplateVersion } from '../../lib/api/templates';
import type { TemplateVersionSummary, TemplateVersionUsage } from '../../lib/api/types';
import { EmptyState } from '../feedback/empty-state';
import { ErrorState } from '../feedback/error-state';
import { LoadingState } from '../feedback/loading-state';
import { RelativeTime } from '../time/relative-time';
import { formatFailureRate } from './format-usage';
import { VersionDiff } from './version-diff';
import './template-studio.css';

/**
 * Every saved version, newest first: who saved it and when, its steps and tasks, and "start from
 * this version"; below, any two versions side by side.
 */
export function VersionHistory({
  namespace,
  name,
  versions,
  usage,
  onStartFrom,
  startingFrom,
}: {
  namespace: string;
  name: string;
  versions: readonly TemplateVersionSummary[];
  usage: ReadonlyMap<string, TemplateVersionUsage>;
  onStartFrom: (version: string) => void;
  startingFrom?: string;
}) {
  const names = versions.map((version) => version.version);
  const [chosenA, setA] = useState<string | undefined>(undefined);
  const [chosenB, setB] = useState<string | undefined>(undefined);
  const a = chosenA ?? names[1] ?? names[0];
  const b = chosenB ?? names[0];
  const versionA = useTemplateVersion(namespace, name, a);
  const versionB = useTemplateVersion(namespace, name, b);
  return (
    <div className="stack">
      <section className="table-card" aria-label="Versions">
        <table className="data-table" data-testid="version-table">
          <thead>
            <tr>
              <th scope="col">version</th>
              <th scope="col">saved by</th>
              <th scope="col">saved</th>
              <th scope="col" className="num">
                steps
              </th>
              <th scope="col" className="num">
                tasks
              </th>
              <th scope="col" className="num">
                failed, last day
              </th>
              <th scope="col">description</th>
              <th scope="col">
                <span className="sr-only">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version, index) => {
              const use = usage.get(version.version);
              return (
                <tr key={version.version} data-version={version.version}>
                  <td className="mono">
                    {version.version}
                    {index === 0 ? <span className="badge-newest">newest</span> : null}
                  </td>
                  <td className="mono">{version.created_by ?? '—'}</td>
                  <td>
                    <RelativeTime iso={version.created_at} />
                  </td>
                  <td className="num">{version.step_count ?? '—'}</td>
                  <td className="num">{use?.tasks ?? 0}</td>
                  <td className="num">{formatFailureRate(use)}</td>
                  <td className="muted description-cell" title={version.description ?? undefined}>
                    {version.description}
                  </td>
                  <td className="row-actions">
                    <button type="button" className="button small" onClick={() => setB(version.version)} disabled={b === version.version}>
                      Diff as B
                    </button>{' '}
                    <button
                      type="button"
                      className="button small"
                      onClick={() => onStartFrom(version.version)}
                      title={`Load ${version.version} into the editor as the next version`}
                      disabled={startingFrom === version.version}
                      data-testid="start-from-version"
                    >
                      Start from this
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section className="card" aria-label="Compare versions">
        <div className="card-header">
          <h2>Compare versions</h2>
          <div className="diff-pickers">
            <VersionSelect label="A" value={a} versions={names} onChange={setA} />
            <span className="muted">→</span>
            <VersionSelect label="B" value={b} versions={names} onChange={setB} />
          </div>
        </div>
        {names.length === 0 ? <EmptyState title="No saved versions to compare" /> : null}
        {a && b && (versionA.isPending || versionB.isPending) ? <LoadingState rows={6} label="Loading both versions…" /> : null}
        {versionA.isError ? <ErrorState error={versionA.error} title={`Could not load ${a}`} onRetry={() => void versionA.refetch()} /> : null}
        {versionB.isError ? <ErrorState error={versionB.error} title={`Could not load ${b}`} onRetry={() => void versionB.refetch()} /> : null}
        {versionA.data && versionB.data && a && b ? (
          <VersionDiff before={versionA.data.yaml} after={versionB.data.yaml} beforeLabel={a} afterLabel={b} />
        ) : null}
      </section>
    </div>
  );
}

/** One side of the comparison: a version picked from every saved one. */
function VersionSelect({
  label,
  value,
  versions,
  onChange,
}: {
  label: string;
  value: string | undefined | null;
  versions: string[];
  onChange: (version: string) => void;
}) {
  return (
    <label className="field inline">
      <span>{label}</span>
      <select value={value ?? ''} onChange={(event) => onChange(event.target.value)} aria-label={`Version ${label}`}>
        {versions.map((version) => (
          <option key={version} value={version}>
            {version}
          </option>
        ))}
      </select>
    </label>
  );
}
