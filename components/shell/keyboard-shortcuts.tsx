'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { Modal } from '../dialog/modal';
import { GO_PREFIX_MS, nextRowIndex, readShortcut, SHORTCUT_LIST } from './keyboard-shortcuts-model';

/** Rows j and k move between: a table row or a card that marks itself (task list, failures, templates). */
const ROW_SELECTOR = '[data-keyboard-row]';
/** What focus is remembered on, per address, to come back to after the browser's Back. */
const REMEMBERED_SELECTOR = '[data-keyboard-row][data-row-key], .react-flow__node[data-id]';

/** A field that takes text: shortcuts never fire while someone types (inputs, text areas, selects, the YAML editor). */
function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) {
    return false;
  }
  if (target.isContentEditable || target.closest('[contenteditable="true"], .cm-editor')) {
    return true;
  }
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  }
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

function isDialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}

function isShown(element: HTMLElement): boolean {
  return element.getClientRects().length > 0;
}

function currentAddress(): string {
  return `${window.location.pathname}${window.location.search}`;
}

function rememberedSelector(element: Element): string | null {
  const key = element.getAttribute('data-row-key');
  if (key !== null && element.hasAttribute('data-keyboard-row')) {
    return `[data-keyboard-row][data-row-key="${CSS.escape(key)}"]`;
  }
  const id = element.getAttribute('data-id');
  return id !== null ? `.react-flow__node[data-id="${CSS.escape(id)}"]` : null;
}

/**
 * Focuses what `selector` finds once it is on the page (data may still be loading), for up to
 * `timeoutMs`; gives up if someone has started typing somewhere meanwhile.
 */
export function focusWhenShown(selector: string, timeoutMs = 3000): () => void {
  const started = Date.now();
  let timer: number | undefined;
  const attempt = () => {
    if (isTypingTarget(document.activeElement)) {
      return;
    }
    const element = document.querySelector<HTMLElement>(selector);
    if (element && isShown(element)) {
      element.focus();
      return;
    }
    if (Date.now() - started < timeoutMs) {
      timer = window.setTimeout(attempt, 60);
    }
  };
  timer = window.setTimeout(attempt, 0);
  return () => window.clearTimeout(timer);
}

function moveRowFocus(direction: 1 | -1) {
  const rows = [...document.querySelectorAll<HTMLElement>(ROW_SELECTOR)].filter(isShown);
  const current = document.activeElement instanceof Element ? document.activeElement.closest<HTMLElement>(ROW_SELECTOR) : null;
  const index = nextRowIndex(current ? rows.indexOf(current) : -1, direction, rows.length);
  const row = index === null ? undefined : rows[index];
  row?.focus();
  row?.scrollIntoView({ block: 'nearest' });
}

function findSearchField(): HTMLInputElement | null {
  return document.querySelector<HTMLInputElement>('main input[type="search"]');
}

/**
 * The dashboard's keyboard: `/` search, `g t` tasks, `g f` failures (and o, s, p), `j`/`k` rows, Enter
 * opens a focused card row, `?` lists them all. Nothing fires in a text field, with Ctrl/Alt/Meta, or
 * while a dialog is open. It also brings focus back after the browser's Back: to the row or step that
 * had it when this address was left.
 */
export function KeyboardShortcuts({ helpOpen, onHelpOpenChange }: { helpOpen: boolean; onHelpOpenChange: (open: boolean) => void }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchWanted = useRef(false);

  useEffect(() => {
    let gPressedAt = 0;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
        return;
      }
      if (isTypingTarget(event.target) || isDialogOpen()) {
        gPressedAt = 0;
        return;
      }
      if (event.key === 'Enter' && event.target instanceof HTMLElement && event.target.matches(ROW_SELECTOR)) {
        // A card row (a failure group) opens through its main link; table rows handle Enter themselves.
        const open = event.target.querySelector<HTMLElement>('[data-row-open]');
        if (open) {
          event.preventDefault();
          open.click();
        }
        return;
      }
      const action = readShortcut(event.key, Date.now() - gPressedAt < GO_PREFIX_MS);
      gPressedAt = 0;
      if (!action) {
        return;
      }
      event.preventDefault();
      switch (action.kind) {
        case 'prefix':
          gPressedAt = Date.now();
          break;
        case 'go':
          router.push(action.href);
          break;
        case 'row':
          moveRowFocus(action.direction);
          break;
        case 'help':
          onHelpOpenChange(true);
          break;
        case 'search': {
          const field = findSearchField();
          if (field) {
            field.focus();
            field.select();
          } else {
            searchWanted.current = true;
            router.push('/tasks');
          }
          break;
        }
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [router, onHelpOpenChange]);

  // `/` on a page without a search field goes to the task list and focuses its search once shown.
  useEffect(() => {
    if (!searchWanted.current || pathname !== '/tasks') {
      return;
    }
    searchWanted.current = false;
    return focusWhenShown('main input[type="search"]');
  }, [pathname]);

  useEffect(() => {
    const remembered = new Map<string, string>();
    let cancelRestore = () => {};
    const onFocusIn = (event: FocusEvent) => {
      const element = event.target instanceof Element ? event.target.closest(REMEMBERED_SELECTOR) : null;
      const selector = element ? rememberedSelector(element) : null;
      if (selector) {
        remembered.set(currentAddress(), selector);
      }
    };
    const onPopState = () => {
      cancelRestore();
      const selector = remembered.get(currentAddress());
      if (selector) {
        cancelRestore = focusWhenShown(selector);
      }
    };
    document.addEventListener('focusin', onFocusIn);
    window.addEventListener('popstate', onPopState);
    return () => {
      cancelRestore();
      document.removeEventListener('focusin', onFocusIn);
      window.removeEventListener('popstate', onPopState);
    };
  }, []);

  return (
    <Modal open={helpOpen} onClose={() => onHelpOpenChange(false)} title="Keyboard shortcuts" testId="shortcuts-dialog">
      <p className="muted">Anywhere but in a text field. Tab and Shift+Tab still move through everything.</p>
      <table className="compact-table shortcut-table">
        <tbody>
          {SHORTCUT_LIST.map((shortcut) => (
            <tr key={shortcut.keys.join(' ')}>
              <th scope="row">
                {shortcut.keys.map((key, index) => (
                  <span key={key}>
                    {index > 0 ? <span className="muted"> then </span> : null}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </th>
              <td>{shortcut.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}

/** Escape, outside a text field and a dialog, calls `onEscape` (null: nothing listens). */
export function useEscapeKey(onEscape: (() => void) | null) {
  useEffect(() => {
    if (!onEscape) {
      return;
    }
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || isTypingTarget(event.target) || isDialogOpen()) {
        return;
      }
      event.preventDefault();
      onEscape();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [onEscape]);
}
