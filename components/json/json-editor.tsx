'use client';

import { useId, useState } from 'react';
import { parseJsonText } from './json-diff';

/**
 * A JSON textarea that says, as you type, whether its text parses. `validate` adds checks of the
 * parsed value (e.g. "must be an object"); the form sends only when both pass.
 *
 * Tab indents, so keyboard users need another way out, said in a hint under the editor: Escape, then
 * Tab, moves focus on (Shift+Tab always goes back). That first Escape is kept from a surrounding dialog,
 * which would otherwise close; a second Escape closes it as usual.
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
  const [tabLeaves, setTabLeaves] = useState(false);
  const parsed = parseJsonText(value);
  const problem = parsed.ok
    ? (validate?.(parsed.value) ?? null)
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
        aria-describedby={`${id}-status ${id}-keys`}
        data-testid={testId}
        data-tab-leaves={tabLeaves ? 'true' : undefined}
        onChange={(event) => onChange(event.target.value)}
        onBlur={() => setTabLeaves(false)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && !tabLeaves) {
            event.preventDefault();
            event.stopPropagation();
            setTabLeaves(true);
            return;
          }
          if (tabLeaves && event.key !== 'Shift') {
            // Tab now takes its usual meaning (focus moves on); any other key goes back to editing.
            setTabLeaves(false);
            return;
          }
          if (event.key === 'Tab' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
            // Indent inside the editor.
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
      <p id={`${id}-keys`} className="field-hint" data-testid={testId ? `${testId}-keys` : undefined} aria-live="polite">
        {tabLeaves ? (
          <>
            <kbd>Tab</kbd> now moves to the next field; any other key goes back to editing.
          </>
        ) : (
          <>
            <kbd>Tab</kbd> indents. To leave the editor, press <kbd>Esc</kbd> then <kbd>Tab</kbd> (<kbd>Shift</kbd>+<kbd>Tab</kbd> goes back).
          </>
        )}
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
