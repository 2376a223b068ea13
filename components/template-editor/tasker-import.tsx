'use client';

import { useRef, useState, type DragEvent, type ReactNode } from 'react';

/** A template file bigger than this is not a template: refused before it is read (the API takes 1 MB). */
const MAX_FILE_BYTES = 1024 * 1024;

type ImportState = { phase: 'idle' } | { phase: 'reading'; name: string } | { phase: 'error'; message: string };

async function readTemplateFile(file: File): Promise<string> {
  if (file.size > MAX_FILE_BYTES) {
    throw new Error(`${file.name} is ${Math.ceil(file.size / 1024)} KB; a template file is at most ${MAX_FILE_BYTES / 1024} KB`);
  }
  const text = await file.text();
  if (text.includes('\u0000')) {
    throw new Error(`${file.name} is not a text file`);
  }
  if (text.trim() === '') {
    throw new Error(`${file.name} is empty`);
  }
  return text;
}

/**
 * Importing a template file (Tasker's format or ours) into the editor: a file button, or a file dropped
 * anywhere on `children`. The file's text replaces the draft; it is checked like typed text, and what
 * the Tasker reader mapped or found without effect shows beside its lines. Pasting works as well.
 */
export function TaskerImport({ onImport, children }: { onImport: (text: string, fileName: string) => void; children: ReactNode }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<ImportState>({ phase: 'idle' });
  const [isDragging, setDragging] = useState(false);

  const importFile = async (file: File | undefined) => {
    if (!file) {
      return;
    }
    setState({ phase: 'reading', name: file.name });
    try {
      const text = await readTemplateFile(file);
      onImport(text, file.name);
      setState({ phase: 'idle' });
    } catch (error) {
      setState({ phase: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer.types).includes('Files');
  const onDragOver = (event: DragEvent) => {
    if (hasFiles(event)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      setDragging(true);
    }
  };
  const onDrop = (event: DragEvent) => {
    if (hasFiles(event)) {
      event.preventDefault();
      setDragging(false);
      void importFile(event.dataTransfer.files[0]);
    }
  };

  return (
    <div
      className={`tasker-import${isDragging ? ' is-dragging' : ''}`}
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      data-testid="tasker-import"
    >
      <div className="import-row">
        <button type="button" className="button small" onClick={() => inputRef.current?.click()} disabled={state.phase === 'reading'}>
          {state.phase === 'reading' ? `Reading ${state.name}…` : 'Import a file…'}
        </button>
        <span className="muted small">
          A Tasker template (Rails or tasker-core) or ours: choose, drop or paste it; nothing is saved until you save.
        </span>
        <input
          ref={inputRef}
          type="file"
          accept=".yaml,.yml,application/yaml,text/yaml,text/x-yaml"
          className="sr-only"
          tabIndex={-1}
          aria-label="Template file to import"
          data-testid="import-file"
          onChange={(event) => {
            void importFile(event.target.files?.[0]);
            event.target.value = '';
          }}
        />
      </div>
      {state.phase === 'error' ? (
        <p className="field-error small" role="alert" data-testid="import-error">
          Could not import: {state.message}
        </p>
      ) : null}
      {children}
      {isDragging ? (
        <div className="drop-hint" aria-hidden="true">
          Drop the file to import it
        </div>
      ) : null}
    </div>
  );
}
