'use client';
import { useId } from 'react';
import { parseJsonText } from './json-diff';

/**
 * A JSON textarea that says, as you type, whether its text parses. `validate` adds checks of the
 * parsed value (e.g. "must be an object"); the form sends only when both pass.
 */
export function JsonEditor({
  label,
  value,
  onChange,
  rows = 10,
  validate,
  testId,
}: {
  label: string;
  value: string;
  onChange: (text: string) => void;
  rows?: number;
  validate?: (value: unknown) => string | null;
  testId?: string;
}) {
  const id = useId();
  const parsed = parseJsonText(value);
  const problem = parsed.ok
    ? validate?.(parsed.value) ?? null
    : `${parsed.message}${parsed.line !== undefined ? ` (line ${parsed.line}, column ${parsed.column})` : ''}`;
  return (
    <div className="json-editor">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className={`code-input${problem ? ' invalid' : ''}`}
        value={value}
        rows={rows}
        spellCheck={false}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-status`}
        data-testid={testId}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Tab' && !event.shiftKey && !event.altKey) {
            // Indent inside the editor; Shift+Tab and Escape still leave it.
            event.preventDefault();
            const target = event.currentTarget;
            const { selectionStart, selectionEnd } = target;
            const next = `${value.slice(0, selectionStart)}  ${value.slice(selectionEnd)}`;
            onChange(next);
            requestAnimationFrame(() => target.setSelectionRange(selectionStart + 2, selectionStart + 2));
          }
        }}
      />
      <p id={`${id}-status`} className={problem ? 'field-error' : 'field-ok'} aria-live="polite">
        {problem ?? 'Valid JSON'}
      </p>
    </div>
  );
}

/** The parsed value of editor text when it is valid and passes `validate`, else undefined. */
export function readJsonEditorValue(text: string, validate?: (value: unknown) => string | null): { value: unknown } | undefined {
  const parsed = parseJsonText(text);
  if (!parsed.ok || validate?.(parsed.value)) {
    return undefined;
  }
  return { value: parsed.value };
}

export function requireObject(value: unknown): string | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'Must be a JSON object ({…})';
}
