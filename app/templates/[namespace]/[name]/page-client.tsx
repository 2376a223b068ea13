'use client';

import { useQueryClient } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { ErrorState } from '../../../../components/feedback/error-state';
import { LoadingState } from '../../../../components/feedback/loading-state';
import { StaleDataNotice } from '../../../../components/feedback/stale-data-notice';
import { Link } from '../../../../components/shell/link';
import {
  NEW_TEMPLATE_SKELETON,
  readTemplateName,
  readTemplateNamespace,
  withTemplateVersion,
} from '../../../../components/template-editor/template-yaml';
import { TryIt } from '../../../../components/template-editor/try-it';
import { VersionHistory } from '../../../../components/template-editor/version-history';
import { taskListHref } from '../../../../lib/api/task-filters';
import { useTemplateUsage } from '../../../../lib/api/template-studio';
import { templateVersionOptions, useTemplateDetail, useTemplateList, useTemplateVersion } from '../../../../lib/api/templates';
import type { SavedTemplateVersion, TemplateDetail, TemplateVersionSummary } from '../../../../lib/api/types';
import { nextPatchVersion } from '../../../../lib/semver';
import { STUDIO_TABS, type StudioTab } from './studio-tabs';

// The editor (CodeMirror, the YAML language, the live graph) is most of this page's JavaScript: it loads
// when the edit tab opens, not with the page (scripts/check-js-budget.ts).
const TemplateEditor = dynamic(() => import('../../../../components/template-editor/template-editor').then((module) => module.TemplateEditor), {
  loading: () => <LoadingState rows={8} label="Loading the editor…" />,
});

const TAB_LABELS: Record<StudioTab, string> = { edit: 'Edit', versions: 'Versions', try: 'Try it' };

const templateHref = (namespace: string, name: string, tab?: StudioTab) =>
  `/templates/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}${tab && tab !== 'edit' ? `?tab=${tab}` : ''}`;

function versionSummaries(detail: TemplateDetail | undefined): TemplateVersionSummary[] {
  return detail?.versions ?? [];
}

/**
 * The template studio. With a namespace and name: edit the template (starting from its newest
 * version, bumped), its versions and diffs, and "Try it". Without: a new template from a skeleton.
 */
export function TemplateStudioPageClient({ namespace, name, initialTab }: { namespace?: string; name?: string; initialTab: StudioTab }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const isNew = namespace === undefined || name === undefined;
  const detail = useTemplateDetail(namespace ?? '', name ?? '');
  const templates = useTemplateList();
  const usage = useTemplateUsage();
  const versions = useMemo(() => versionSummaries(detail.data), [detail.data]);
  const newest = versions[0]?.version;
  const suggestedVersion = newest ? nextPatchVersion(newest) : '1.0.0';
  const newestVersion = useTemplateVersion(namespace ?? '', name ?? '', newest);

  const [tab, setTabState] = useState<StudioTab>(isNew ? 'edit' : initialTab);
  const [draft, setDraft] = useState<string | null>(isNew ? NEW_TEMPLATE_SKELETON : null);
  const [origin, setOrigin] = useState<string | undefined>(
    isNew ? 'A new template: from the skeleton (rename it), or paste or import a Tasker file, then save.' : undefined,
  );
  const [startingFrom, setStartingFrom] = useState<string | undefined>();
  const [tryVersion, setTryVersion] = useState<string | undefined>();

  // Until the author types, the draft is the newest version with its version bumped: saving makes the next one.
  const shownDraft = draft ?? (newestVersion.data ? withTemplateVersion(newestVersion.data.yaml, suggestedVersion) : null);
  const shownOrigin = origin ?? (newest ? `Draft of ${suggestedVersion}, started from ${newest} (the newest).` : undefined);

  const draftNamespace = shownDraft ? readTemplateNamespace(shownDraft) : undefined;
  const draftName = shownDraft ? readTemplateName(shownDraft) : undefined;
  const existingVersions = useMemo(() => {
    if (!isNew && draftNamespace === namespace && draftName === name) {
      return versions.map((version) => version.version);
    }
    return templates.data?.find((item) => item.namespace === draftNamespace && item.name === draftName)?.versions ?? [];
  }, [isNew, draftNamespace, draftName, namespace, name, versions, templates.data]);
  const draftSuggestion = existingVersions[0] ? nextPatchVersion(existingVersions[0]) : suggestedVersion;

  const usageByVersion = useMemo(
    () => new Map((usage.data ?? []).filter((item) => item.namespace === namespace && item.name === name).map((item) => [item.version, item])),
    [usage.data, namespace, name],
  );

  const setTab = (next: StudioTab) => {
    setTabState(next);
    if (!isNew) {
      window.history.replaceState(null, '', templateHref(namespace, name, next));
    }
  };

  const startFrom = async (version: string) => {
    if (isNew) {
      return;
    }
    setStartingFrom(version);
    try {
      const chosen = await queryClient.fetchQuery(templateVersionOptions(namespace, name, version));
      setDraft(withTemplateVersion(chosen.yaml, suggestedVersion));
      setOrigin(`Draft of ${suggestedVersion}, started from ${version}.`);
      setTab('edit');
    } finally {
      setStartingFrom(undefined);
    }
  };

  const onSaved = (saved: SavedTemplateVersion) => {
    setDraft((current) => current ?? shownDraft);
    setTryVersion(saved.version);
    if (saved.namespace && saved.name && (saved.namespace !== namespace || saved.name !== name)) {
      router.push(templateHref(saved.namespace, saved.name));
    }
  };

  const title = isNew ? 'New template' : name;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/templates">Templates</Link> / {isNew ? 'new' : `${namespace} / ${name}`}
      </p>
      <header className="page-header">
        <div>
          <h1>
            {title} {!isNew && newest ? <span className="muted">v{newest}</span> : null}
          </h1>
          <p>
            {isNew
              ? 'Write the YAML, or paste or import a Tasker file; it is checked by the server as you type. Save creates version 1.0.0 (or the version you give).'
              : (detail.data?.description ?? `${namespace}/${name}`)}
          </p>
        </div>
        {!isNew ? (
          <div className="header-actions">
            <span className="namespace-chip mono" title="namespace">
              {namespace}
            </span>
            <Link className="button" href={taskListHref({ namespace, name })}>
              Its tasks
            </Link>
            <Link className="button" href="/templates/new">
              New template
            </Link>
          </div>
        ) : null}
      </header>
      {!isNew ? (
        <div className="studio-tabs" role="tablist" aria-label="Template studio">
          {STUDIO_TABS.map((item) => (
            <button
              key={item}
              type="button"
              role="tab"
              id={`studio-tab-${item}`}
              aria-selected={tab === item}
              aria-controls={`studio-panel-${item}`}
              className={`studio-tab${tab === item ? ' active' : ''}`}
              onClick={() => setTab(item)}
            >
              {TAB_LABELS[item]}
              {item === 'versions' && versions.length > 0 ? <span className="tab-count">{versions.length}</span> : null}
            </button>
          ))}
        </div>
      ) : null}
      {!isNew && detail.isPending ? <LoadingState rows={8} label="Loading the template…" /> : null}
      {!isNew ? <StaleDataNotice query={detail} refetch={detail.refetch} polling={false} what="the template" /> : null}
      {!isNew && detail.isError && !detail.data ? (
        <ErrorState error={detail.error} title={`Could not load ${namespace}/${name}`} onRetry={() => void detail.refetch()} />
      ) : null}
      {!isNew && newestVersion.isError && !newestVersion.data ? (
        <ErrorState error={newestVersion.error} title="Could not load the newest version's YAML" onRetry={() => void newestVersion.refetch()} />
      ) : null}
      {tab === 'edit' ? (
        <div role="tabpanel" id="studio-panel-edit" aria-labelledby={isNew ? undefined : 'studio-tab-edit'}>
          {shownDraft !== null ? (
            <TemplateEditor
              draft={shownDraft}
              onDraftChange={setDraft}
              initialDag={detail.data?.dag}
              existingVersions={existingVersions}
              suggestedVersion={draftSuggestion}
              origin={shownOrigin}
              onSaved={onSaved}
            />
          ) : !detail.isError && !newestVersion.isError && (isNew || detail.isPending || newest) ? (
            <LoadingState rows={8} label="Loading the YAML…" />
          ) : null}
        </div>
      ) : null}
      {!isNew && tab === 'versions' && detail.data ? (
        <div role="tabpanel" id="studio-panel-versions" aria-labelledby="studio-tab-versions">
          <VersionHistory
            namespace={namespace}
            name={name}
            versions={versions}
            usage={usageByVersion}
            onStartFrom={(version) => void startFrom(version)}
            startingFrom={startingFrom}
          />
        </div>
      ) : null}
      {!isNew && tab === 'try' && detail.data ? (
        <div role="tabpanel" id="studio-panel-try" aria-labelledby="studio-tab-try">
          <TryIt namespace={namespace} name={name} versions={versions.map((version) => version.version)} initialVersion={tryVersion} />
        </div>
      ) : null}
    </>
  );
}
