'use client';

import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, foldGutter, foldKeymap, HighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { EditorSelection, EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { noticeKind } from '../../lib/api/tasker-notices';
import { problemLine, type TemplateProblem } from './template-problems';

export type YamlEditorHandle = {
  /** Moves the cursor to the start of a line's text, scrolls it into view and focuses the editor. */
  goToLine(line: number): void;
};

// Colours from app/globals.css's variables, so the editor follows the light or dark theme.
const editorTheme = EditorView.theme({
  '&': { fontSize: '12.5px', height: '100%', backgroundColor: 'var(--input-bg)', color: 'var(--text)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'var(--code-selection)' },
  '.cm-gutters': { backgroundColor: 'var(--panel-subtle)', borderRight: '1px solid var(--border)', color: 'var(--faint)' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active-gutter)' },
  '.cm-selectionMatch': { backgroundColor: 'var(--code-selection)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--text)', border: '1px solid var(--border)' },
  '.cm-tooltip-lint': { fontFamily: 'inherit', fontSize: '12px' },
  // Tasker notices: keys without effect in the warning colour, mapped keys in the queued (teal) one; problems stay red.
  '.cm-lintRange-warning': { backgroundImage: 'none', textDecoration: 'underline wavy var(--warning)', textUnderlineOffset: '3px' },
  '.cm-lintRange-info': { backgroundImage: 'none', textDecoration: 'underline dotted var(--queued)', textUnderlineOffset: '3px' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--warning)' },
  '.cm-diagnostic-info': { borderLeftColor: 'var(--queued)' },
  // CodeMirror draws the info marker as an image of a fixed colour: a dot of the mapped colour instead.
  '.cm-lint-marker-info': {
    content: 'normal',
    display: 'inline-block',
    width: '0.6em',
    height: '0.6em',
    margin: '0.2em',
    borderRadius: '50%',
    backgroundColor: 'var(--queued)',
  },
});

/** YAML's parts in the JSON views' colours: keys, strings, numbers, literals, comments. */
const yamlHighlightStyle = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--code-key)' },
  { tag: [tags.string, tags.special(tags.string), tags.content], color: 'var(--code-string)' },
  { tag: tags.number, color: 'var(--code-number)' },
  { tag: [tags.bool, tags.null, tags.atom, tags.keyword], color: 'var(--code-literal)' },
  { tag: [tags.comment, tags.lineComment, tags.meta], color: 'var(--code-comment)', fontStyle: 'italic' },
  { tag: [tags.labelName, tags.typeName, tags.processingInstruction], color: 'var(--code-literal)' },
  { tag: tags.invalid, color: 'var(--danger)' },
]);

/**
 * The validator's problems (errors) and the Tasker reader's notices as CodeMirror diagnostics, each
 * underlining the text of its line: a key with no effect here is a warning, a mapped key is info.
 */
function toDiagnostics(state: EditorState, problems: readonly TemplateProblem[], notices: readonly TemplateProblem[]): Diagnostic[] {
  const mark = (problem: TemplateProblem, severity: Diagnostic['severity']): Diagnostic => {
    const line = state.doc.line(problemLine(problem, state.doc.lines));
    const indent = /^\s*/.exec(line.text)?.[0].length ?? 0;
    const from = Math.min(line.from + indent, line.to);
    return { from, to: line.to, severity, source: problem.path || '/', message: problem.message };
  };
  return [
    ...problems.map((problem) => mark(problem, 'error')),
    ...notices.map((notice) => mark(notice, noticeKind(notice.message) === 'no_effect' ? 'warning' : 'info')),
  ];
}

const NO_NOTICES: readonly TemplateProblem[] = [];

/**
 * A CodeMirror 6 editor for a template's YAML: highlighting, line numbers, undo, search, and the
 * validator's problems and the Tasker notices as lint marks at their lines. The text is the parent's (`value`/`onChange`);
 * a new `value` from outside (another version loaded) replaces the document.
 */
export function YamlEditor({
  value,
  onChange,
  problems,
  notices = NO_NOTICES,
  label,
  ref,
}: {
  value: string;
  onChange: (text: string) => void;
  problems: readonly TemplateProblem[];
  /** The Tasker reader's notices, marked in other colours than the problems. */
  notices?: readonly TemplateProblem[];
  label: string;
  ref?: Ref<YamlEditorHandle>;
}) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  const initialValue = useRef(value);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) {
      return;
    }
    const view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: initialValue.current,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          lintGutter(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(yamlHighlightStyle),
          yaml(),
          EditorView.lineWrapping,
          EditorState.tabSize.of(2),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, indentWithTab]),
          editorTheme,
          EditorView.contentAttributes.of({ 'aria-label': label, 'data-testid': 'yaml-editor-content' }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) {
              onChangeRef.current(update.state.doc.toString());
            }
          }),
        ],
      }),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      viewRef.current = null;
    };
  }, [label]);

  useEffect(() => {
    const view = viewRef.current;
    if (view && view.state.doc.toString() !== value) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const view = viewRef.current;
    if (view) {
      view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state, problems, notices)));
    }
  }, [problems, notices]);

  useImperativeHandle(
    ref,
    () => ({
      goToLine(lineNumber: number) {
        const view = viewRef.current;
        if (!view) {
          return;
        }
        const line = view.state.doc.line(Math.min(Math.max(lineNumber, 1), view.state.doc.lines));
        const indent = /^\s*/.exec(line.text)?.[0].length ?? 0;
        view.dispatch({
          selection: EditorSelection.cursor(line.from + indent),
          effects: EditorView.scrollIntoView(line.from, { y: 'nearest', yMargin: 40 }),
        });
        view.focus();
      },
    }),
    [],
  );

  return <div className="yaml-editor" ref={hostRef} data-testid="template-yaml" />;
}
