'use client';

import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { isApiError } from '../../lib/api/api-error';
import { usePermission } from '../../lib/api/session';
import { useCreateTask } from '../../lib/api/tasks';
import { useTemplateVersion } from '../../lib/api/templates';
import { EmptyState } from '../feedback/empty-state';
import { ErrorMessage, ErrorState } from '../feedback/error-state';
import { LoadingState } from '../feedback/loading-state';
import { PermissionNote } from '../feedback/permission-note';
import { SchemaForm } from './schema-form';
import './template-studio.css';
import { isRecord } from '../../lib/api/is-record';
import { contextPointerOf, defaultValueOf, writeAt, type JsonSchema } from './schema-form-model';

/**
 * "Try it": a form generated from the chosen version's context schema (or raw JSON) that creates a
 * task on exactly that version and opens its live DAG.
 */
export function TryIt({
  namespace,
  name,
  versions,
  initialVersion,
}: {
  namespace: string;
  name: string;
  versions: readonly string[];
  initialVersion?: string;
}) {
  const [chosen, setChosen] = useState<string | undefined>(initialVersion);
  const version = chosen && versions.includes(chosen) ? chosen : versions[0];
  const detail = useTemplateVersion(namespace, name, version);
  const definition = detail.data?.definition;
  const schema = isRecord(definition) && isRecord(definition.schema) ? (definition.schema as JsonSchema) : undefined;
  return (
    <section className="card try-it" aria-label="Try it">
      <div className="card-header">
        <h2>Try it: start a task</h2>
        <label className="field inline">
          <span>Version</span>
          <select value={version ?? ''} onChange={(event) => setChosen(event.target.value)} aria-label="Version to run" data-testid="try-version">
            {versions.map((item, index) => (
              <option key={item} value={item}>
                {item}
                {index === 0 ? ' (newest)' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      {versions.length === 0 ? <EmptyState title="This template has no saved version to run" /> : null}
      {detail.isPending && version ? <LoadingState rows={4} label={`Loading version ${version}…`} /> : null}
      {detail.isError ? <ErrorState error={detail.error} title={`Could not load version ${version}`} onRetry={() => void detail.refetch()} /> : null}
      {detail.data && version ? <ContextForm key={version} namespace={namespace} name={name} version={version} schema={schema ?? {}} /> : null}
    </section>
  );
}

function ContextForm({ namespace, name, version, schema }: { namespace: string; name: string; version: string; schema: JsonSchema }) {
  const router = useRouter();
  const createTask = useCreateTask();
  const mayStart = usePermission('operator', 'start tasks');
  const [context, setContext] = useState<Record<string, unknown>>(() => {
    const initial = defaultValueOf(schema);
    return isRecord(initial) ? initial : {};
  });
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [jsonText, setJsonText] = useState('');
  const [jsonProblem, setJsonProblem] = useState<string | undefined>();

  const error = createTask.error;
  const { byPointer, elsewhere } = useMemo(() => {
    const grouped = new Map<string, string[]>();
    const other: { path: string; message: string }[] = [];
    if (isApiError(error) && error.status === 422) {
      for (const detail of error.details) {
        const pointer = contextPointerOf(detail.path);
        if (pointer === undefined || pointer === '') {
          other.push(detail);
        } else {
          grouped.set(pointer, [...(grouped.get(pointer) ?? []), detail.message]);
        }
      }
    }
    return { byPointer: grouped, elsewhere: other };
  }, [error]);

  const parseJson = (): Record<string, unknown> | undefined => {
    try {
      const parsed: unknown = JSON.parse(jsonText);
      if (!isRecord(parsed)) {
        setJsonProblem('The context must be a JSON object.');
        return undefined;
      }
      setJsonProblem(undefined);
      return parsed;
    } catch (parseError) {
      setJsonProblem(`Not valid JSON: ${parseError instanceof Error ? parseError.message : String(parseError)}`);
      return undefined;
    }
  };

  const switchMode = (next: 'form' | 'json') => {
    if (next === mode) {
      return;
    }
    if (next === 'json') {
      setJsonText(JSON.stringify(context, null, 2));
      setJsonProblem(undefined);
      setMode('json');
      return;
    }
    const parsed = parseJson();
    if (parsed) {
      setContext(parsed);
      setMode('form');
    }
  };

  const submit = () => {
    const body = mode === 'json' ? parseJson() : context;
    if (!body) {
      return;
    }
    createTask.mutate(
      { namespace, name, version, context: body },
      {
        onSuccess: (task) => router.push(`/tasks/${encodeURIComponent(task.id)}`),
      },
    );
  };

  return (
    <form
      className="context-form"
      data-testid="try-it-form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className="toolbar" role="group" aria-label="How to enter the context">
        <button
          type="button"
          className={`button small${mode === 'form' ? ' active' : ''}`}
          aria-pressed={mode === 'form'}
          onClick={() => switchMode('form')}
        >
          Form
        </button>
        <button
          type="button"
          className={`button small${mode === 'json' ? ' active' : ''}`}
          aria-pressed={mode === 'json'}
          onClick={() => switchMode('json')}
        >
          JSON
        </button>
        <span className="spacer" />
        <span className="muted small">
          Fields marked <abbr className="required-mark">*</abbr> are required; defaults are filled in.
        </span>
      </div>
      {mode === 'form' ? (
        <SchemaForm
          schema={schema}
          value={context}
          onChange={(path, value) => setContext((current) => writeAt(current, path, value))}
          errors={byPointer}
        />
      ) : (
        <label className="field">
          <span>Context (JSON)</span>
          <textarea
            className={`code-input${jsonProblem ? ' invalid' : ''}`}
            rows={14}
            value={jsonText}
            onChange={(event) => setJsonText(event.target.value)}
            aria-label="Context as JSON"
            data-testid="context-json"
          />
          {jsonProblem ? <p className="field-error">{jsonProblem}</p> : null}
        </label>
      )}
      {error ? (
        <div className="error-state" role="alert" data-testid="try-it-error">
          <p className="error-title">
            {isApiError(error) && error.status === 422 ? 'The context does not match the schema' : 'Could not start the task'}
          </p>
          {isApiError(error) && error.status === 422 ? (
            <>
              <p className="small">Each problem is shown next to its field{mode === 'json' ? ' in the form' : ''}:</p>
              <ul className="error-details">
                {[...byPointer.entries()].map(([pointer, messages]) => (
                  <li key={pointer}>
                    <code>/context{pointer}</code> {messages.join('; ')}
                  </li>
                ))}
                {elsewhere.map((detail, index) => (
                  <li key={`other-${index}`}>
                    {detail.path ? <code>{detail.path}</code> : null} {detail.message}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <ErrorMessage error={error} />
          )}
        </div>
      ) : null}
      <div className="toolbar">
        <button
          type="submit"
          className="button primary"
          disabled={createTask.isPending || !mayStart.allowed}
          title={mayStart.reason ?? undefined}
          data-testid="start-task"
        >
          {createTask.isPending ? 'Starting…' : `Start a task on ${version}`}
        </button>
        <span className="muted small">Opens the task&apos;s live DAG.</span>
      </div>
      <PermissionNote permission={mayStart} />
    </form>
  );
}
