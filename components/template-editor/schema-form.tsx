'use client';

import { useState, type ReactNode } from 'react';
import { checkEmail, fieldKind, isCheckedByDefault, pointerOf, propertiesOf, readAt, requiredOf, type JsonSchema } from './schema-form-model';

type FieldProps = {
  schema: JsonSchema;
  path: string[];
  required: boolean;
  value: unknown;
  onChange: (path: string[], value: unknown) => void;
  /** Problems the server reported, by context pointer (`/customer/email`). */
  errors: ReadonlyMap<string, string[]>;
};

function fieldId(path: readonly string[]): string {
  return `context-field-${path.map((segment) => segment.replace(/[^A-Za-z0-9_-]/g, '_')).join('__') || 'root'}`;
}

function Label({ name, required, htmlFor }: { name: string; required: boolean; htmlFor: string }) {
  return (
    <label htmlFor={htmlFor} className="schema-label">
      {name}
      {required ? (
        <abbr className="required-mark" title="required">
          *
        </abbr>
      ) : null}
    </label>
  );
}

function Problems({ messages, id }: { messages: readonly string[] | undefined; id: string }) {
  if (!messages || messages.length === 0) {
    return null;
  }
  return (
    <p className="field-error" id={id} data-testid="field-error">
      {messages.join('; ')}
    </p>
  );
}

function Description({ schema }: { schema: JsonSchema }) {
  return typeof schema.description === 'string' ? <p className="muted small field-description">{schema.description}</p> : null;
}

/** A value the form has no widget for (arrays, free objects): edited as JSON. */
function JsonField({ id, value, onChange, invalidId }: { id: string; value: unknown; onChange: (value: unknown) => void; invalidId: string }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value));
  const [problem, setProblem] = useState<string | undefined>();
  return (
    <>
      <input
        id={id}
        className="mono"
        value={text}
        placeholder="JSON"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? invalidId : undefined}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim() === '') {
            setProblem(undefined);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(event.target.value));
            setProblem(undefined);
          } catch {
            setProblem('is not valid JSON yet');
          }
        }}
      />
      {problem ? (
        <p className="field-error" id={invalidId}>
          {problem}
        </p>
      ) : null}
    </>
  );
}

function SchemaField({ schema, path, required, value, onChange, errors }: FieldProps): ReactNode {
  const kind = fieldKind(schema);
  const name = path.at(-1) ?? 'context';
  const pointer = pointerOf(path);
  const id = fieldId(path);
  const errorId = `${id}-error`;
  const serverErrors = errors.get(pointer);
  if (kind === 'object') {
    const requiredKeys = requiredOf(schema);
    return (
      <fieldset className="schema-fieldset" data-pointer={pointer}>
        <legend>
          {name}
          {required ? (
            <abbr className="required-mark" title="required">
              *
            </abbr>
          ) : null}
        </legend>
        <Description schema={schema} />
        <Problems messages={serverErrors} id={errorId} />
        {propertiesOf(schema).map(([key, child]) => (
          <SchemaField
            key={key}
            schema={child}
            path={[...path, key]}
            required={requiredKeys.has(key)}
            value={readAt(value, [key])}
            onChange={onChange}
            errors={errors}
          />
        ))}
      </fieldset>
    );
  }
  const set = (next: unknown) => onChange(path, next);
  let control: ReactNode;
  let typingProblem: string | undefined;
  const describedBy = serverErrors ? errorId : undefined;
  if (kind === 'boolean') {
    return (
      <div className="schema-field schema-checkbox" data-pointer={pointer}>
        <label htmlFor={id} className="schema-label">
          <input
            id={id}
            type="checkbox"
            checked={isCheckedByDefault(value, schema)}
            onChange={(event) => set(event.target.checked)}
            aria-describedby={describedBy}
          />{' '}
          {name}
          {required ? (
            <abbr className="required-mark" title="required">
              *
            </abbr>
          ) : null}
        </label>
        <Description schema={schema} />
        <Problems messages={serverErrors} id={errorId} />
      </div>
    );
  } else if (kind === 'enum') {
    const options = schema.enum as unknown[];
    const index = options.findIndex((option) => JSON.stringify(option) === JSON.stringify(value));
    control = (
      <select
        id={id}
        value={index === -1 ? '' : String(index)}
        onChange={(event) => set(event.target.value === '' ? undefined : options[Number(event.target.value)])}
        aria-describedby={describedBy}
        aria-required={required || undefined}
      >
        {required && index !== -1 ? null : <option value="">{required ? 'choose…' : '—'}</option>}
        {options.map((option, optionIndex) => (
          <option key={optionIndex} value={String(optionIndex)}>
            {typeof option === 'string' ? option : JSON.stringify(option)}
          </option>
        ))}
      </select>
    );
  } else if (kind === 'number' || kind === 'integer') {
    control = (
      <input
        id={id}
        type="number"
        step={kind === 'integer' ? 1 : 'any'}
        value={typeof value === 'number' ? String(value) : ''}
        onChange={(event) => set(event.target.value === '' ? undefined : Number(event.target.value))}
        aria-describedby={describedBy}
        aria-required={required || undefined}
      />
    );
  } else if (kind === 'string' || kind === 'email') {
    const text = typeof value === 'string' ? value : '';
    typingProblem = kind === 'email' ? checkEmail(text) : undefined;
    control = (
      <input
        id={id}
        type={kind === 'email' ? 'email' : 'text'}
        value={text}
        placeholder={kind === 'email' ? 'name@example.com' : undefined}
        onChange={(event) => set(event.target.value === '' ? undefined : event.target.value)}
        aria-invalid={typingProblem || serverErrors ? true : undefined}
        aria-describedby={typingProblem ? `${id}-typing` : describedBy}
        aria-required={required || undefined}
      />
    );
  } else {
    control = <JsonField id={id} value={value} onChange={set} invalidId={`${id}-json`} />;
  }
  return (
    <div className="schema-field" data-pointer={pointer}>
      <Label name={name} required={required} htmlFor={id} />
      {control}
      <Description schema={schema} />
      {typingProblem ? (
        <p className="field-error" id={`${id}-typing`} data-testid="format-error">
          {name} {typingProblem}
        </p>
      ) : null}
      <Problems messages={serverErrors} id={errorId} />
    </div>
  );
}

/**
 * A form generated from a template's context schema: nested objects as fieldsets, required fields
 * marked, enums as choices, booleans as checkboxes, e-mail addresses checked as you type.
 */
export function SchemaForm({
  schema,
  value,
  onChange,
  errors,
}: {
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange: (path: string[], value: unknown) => void;
  errors: ReadonlyMap<string, string[]>;
}) {
  const properties = propertiesOf(schema);
  const requiredKeys = requiredOf(schema);
  if (properties.length === 0) {
    return <p className="muted small">This template declares no context fields; the task starts with an empty context (or use JSON).</p>;
  }
  return (
    <div className="schema-form">
      {properties.map(([key, child]) => (
        <SchemaField key={key} schema={child} path={[key]} required={requiredKeys.has(key)} value={value[key]} onChange={onChange} errors={errors} />
      ))}
    </div>
  );
}
