/**
 * Moves focus to the nearest focusable row above (-1) or below (1) this one, passing over rows that
 * take no focus (a namespace's header row). Arrow keys on a focused row of a table that opens with
 * Enter: the task list and the template list behave alike.
 */
export function focusSiblingRow(row: HTMLElement, direction: 1 | -1): void {
  let sibling = direction === 1 ? row.nextElementSibling : row.previousElementSibling;
  while (sibling && !(sibling instanceof HTMLElement && sibling.tabIndex >= 0)) {
    sibling = direction === 1 ? sibling.nextElementSibling : sibling.previousElementSibling;
  }
  if (sibling instanceof HTMLElement) {
    sibling.focus();
  }
}
