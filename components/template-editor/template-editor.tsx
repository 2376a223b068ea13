'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { isApiError } from '../../lib/api/api-error';
import { useSession } from '../../lib/api/session';
import { useSaveTemplate, useTemplateValidation } from '../../lib/api/template-studio';
import type { Dag, SavedTemplateVersion } from '../../lib/api/types';
import { ErrorMessage } from '../feedback/error-state';
import { Link } from '../shell/link';
import { DiagnosticLegend, NoticeList } from './notice-list';
import { ProblemList } from './problem-list';
import { TaskerImport } from './tasker-import';
import { TemplatePreview } from './template-preview';
import { cycleMarks, cyclesOfProblems } from './template-problems';
import { readTemplateName, readTemplateNamespace, readTemplateVersion, withTemplateVersion } from './template-yaml';
import { useDebouncedValue } from './use-debounced-value';
import { YamlEditor, type YamlEditorHandle } from './yaml-editor';
import './template-studio.css';

const CHECK_DELAY_MS = 300;
const EMPTY_DAG: Dag = { nodes: [], edges: [] };

export type TemplateEditorProps = {
  draft: string;
  onDraftChange: (text: string) => void;
  /** The saved DAG to draw until the first check of the draft answers. */
  initialDag?: Dag;
  /** Versions saved under the draft's namespace and name (empty for a new template). */
  existingVersions: readonly string[];
  /** The next free version to offer (a patch bump of the newest). */
  suggestedVersion: string;
  /** Where the draft came from, e.g. "started from 1.0.0". */
  origin?: string;
  onSaved?: (saved: SavedTemplateVersion) => void;
};

/**
 * The editor of a template: the YAML on the left, checked as you type by the server's validator
 * (POST /templates/validate, ~300 ms after the last key) with every problem at its line, and the DAG
 * of the text on the right. Save posts the YAML as a new immutable version; it is refused while the
 * text has problems or has not been checked yet.
 */
export function TemplateEditor({ draft, onDraftChange, initialDag, existingVersions, suggestedVersion, origin, onSaved }: TemplateEditorProps) {
  const editorRef = useRef<YamlEditorHandle>(null);
  const checkedText = useDebouncedValue(draft, CHECK_DELAY_MS);
  const validation = useTemplateValidation(checkedText);
  const save = useSaveTemplate();
  const session = useSession();
  const [lastSaved, setLastSaved] = useState<{ yaml: string; saved: SavedTemplateVersion } | null>(null);

  const result = validation.data;
  const problems = useMemo(() => result?.errors ?? [], [result]);
  const notices = useMemo(() => result?.notices ?? [], [result]);
  const [importedFrom, setImportedFrom] = useState<{ fileName: string; text: string } | null>(null);
  const isChecking = checkedText !== draft || validation.isFetching;
  const isCurrent = !isChecking && !validation.isPlaceholderData && result !== undefined;
  const [drawnDag, setDrawnDag] = useState<Dag | undefined>(initialDag);
  useEffect(() => {
    if (result?.dag) {
      setDrawnDag(result.dag);
    }
  }, [result]);
  const cycle = useMemo(() => cycleMarks(problems), [problems]);
  const cycles = useMemo(() => cyclesOfProblems(problems), [problems]);

  const version = readTemplateVersion(draft);
  const draftName = `${readTemplateNamespace(draft)}/${readTemplateName(draft) ?? '…'}`;
  const isJustSaved = lastSaved?.yaml === draft;
  const versionTaken = version !== undefined && existingVersions.includes(version) && !isJustSaved;
  const problemCount = problems.length;
  const canSave = isCurrent && result.valid && !save.isPending && draft.trim() !== '';
  const mayNotSave = session.data?.mode === 'token' && session.data.role !== 'admin';

  let checkState: { tone: string; text: string };
  if (draft.trim() === '') {
    checkState = { tone: 'idle', text: 'Empty' };
  } else if (validation.isError) {
    checkState = { tone: 'danger', text: 'Could not check' };
  } else if (!isCurrent) {
    checkState = { tone: 'active', text: 'Checking…' };
  } else if (result.valid) {
    checkState = { tone: 'success', text: 'Valid' };
  } else {
    checkState = { tone: 'danger', text: `${problemCount} ${problemCount === 1 ? 'problem' : 'problems'}` };
  }

  const onSave = () => {
    if (!canSave) {
      return;
    }
    const yaml = draft;
    save.mutate(yaml, {
      onSuccess: (saved) => {
        setLastSaved({ yaml, saved });
        onSaved?.(saved);
      },
    });
  };

  const setDraftVersion = (next: string) => onDraftChange(withTemplateVersion(draft, next));
  const saveError = save.error;

  return (
    <div className="studio-editor">
      <section className="card studio-source" aria-label="YAML">
        <div className="card-header">
          <h2>YAML</h2>
          <span className={`check-state tone-${checkState.tone}`} data-testid="check-state" role="status">
            {checkState.text}
          </span>
        </div>
        <TaskerImport
          onImport={(text, fileName) => {
            setImportedFrom({ fileName, text });
            onDraftChange(text);
          }}
        >
          <YamlEditor ref={editorRef} value={draft} onChange={onDraftChange} problems={problems} notices={notices} label="Template YAML" />
        </TaskerImport>
        {importedFrom ? (
          <p className="muted small" data-testid="imported-from" role="status">
            Imported {importedFrom.fileName}
            {importedFrom.text === draft ? '' : ', then edited'}
            {isCurrent && importedFrom.text === draft && notices.length === 0 ? ": nothing to map, it is written in Switchyard's own format." : '.'}
          </p>
        ) : null}
        {isCurrent && (problemCount > 0 || notices.length > 0) ? <DiagnosticLegend problems={problemCount} notices={notices} /> : null}
        {validation.isError ? <ErrorMessage error={validation.error} /> : null}
        <ProblemList problems={problems} onSelect={(line) => editorRef.current?.goToLine(line)} />
        <NoticeList notices={notices} onSelect={(line) => editorRef.current?.goToLine(line)} />
        {result && !result.dag ? <p className="muted small">The YAML cannot be read, so the preview shows the last steps that could be.</p> : null}
      </section>
      <div className="studio-side">
        <section className="card" aria-label="Save">
          <div className="card-header">
            <h2>Save a new version</h2>
            <span className="muted small mono">{draftName}</span>
          </div>
          {origin ? <p className="muted small studio-origin">{origin}</p> : null}
          <div className="save-row">
            <label className="field">
              <span>Version</span>
              <input
                className="mono version-input"
                value={version ?? ''}
                placeholder={suggestedVersion}
                onChange={(event) => setDraftVersion(event.target.value)}
                aria-label="Version to save"
                data-testid="save-version"
              />
            </label>
            <button type="button" className="button primary" disabled={!canSave} onClick={onSave} data-testid="save-template">
              {save.isPending ? 'Saving…' : `Save as ${version ?? '…'}`}
            </button>
          </div>
          {versionTaken ? (
            <p className="warning-text small" data-testid="version-taken">
              Version {version} already exists: versions are immutable, so other content under it is refused.{' '}
              <button type="button" className="link-button" onClick={() => setDraftVersion(suggestedVersion)}>
                Use {suggestedVersion}
              </button>
            </p>
          ) : null}
          {isCurrent && !result.valid ? (
            <p className="field-error" data-testid="save-refused">
              Saving is refused until the {problemCount === 1 ? 'problem is' : `${problemCount} problems are`} fixed.
            </p>
          ) : null}
          {mayNotSave ? <p className="muted small">Only admins can save templates; you are signed in as {session.data?.role}.</p> : null}
          {saveError && !isJustSaved ? (
            <div className="save-error" data-testid="save-error" role="alert">
              {isApiError(saveError) && (saveError.status === 401 || saveError.status === 403) ? (
                <p className="error-title">Only admins can save templates.</p>
              ) : null}
              {isApiError(saveError) && saveError.status === 409 ? (
                <p className="error-title">
                  This version exists with other content.{' '}
                  <button type="button" className="link-button" onClick={() => setDraftVersion(suggestedVersion)}>
                    Save as {suggestedVersion} instead
                  </button>
                </p>
              ) : null}
              <ErrorMessage error={saveError} />
            </div>
          ) : null}
          {lastSaved && isJustSaved ? (
            <p className="success-text" data-testid="save-result" role="status">
              {lastSaved.saved.created
                ? `Saved version ${lastSaved.saved.version ?? version}. New tasks get it; tasks already started keep theirs.`
                : `Version ${lastSaved.saved.version ?? version} already has exactly this content; nothing changed.`}{' '}
              {lastSaved.saved.notices.length > 0 ? `Saved as written, with its ${lastSaved.saved.notices.length} Tasker notices. ` : null}
              {lastSaved.saved.namespace && lastSaved.saved.name ? (
                <Link href={`/templates/${encodeURIComponent(lastSaved.saved.namespace)}/${encodeURIComponent(lastSaved.saved.name)}?tab=try`}>
                  Try it
                </Link>
              ) : null}
            </p>
          ) : null}
        </section>
        <section className="card graph-card" aria-label="Preview">
          <div className="card-header">
            <h2>Preview</h2>
            <span className="muted small">{(drawnDag ?? EMPTY_DAG).nodes.length} steps · redrawn as you type</span>
          </div>
          {cycles.map((names) => (
            <p key={names.join('>')} className="cycle-note" data-testid="preview-cycle">
              Cycle: {[...names, names[0]].join(' → ')}
            </p>
          ))}
          {drawnDag && drawnDag.nodes.length > 0 ? (
            <TemplatePreview dag={drawnDag} cycle={cycle} />
          ) : (
            <p className="muted small preview-empty">No steps to draw yet.</p>
          )}
        </section>
      </div>
    </div>
  );
}
