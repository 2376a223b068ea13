/**
 * Where each page of a keyset-paginated list sits, as far as this tab has seen. A cursor says where a
 * page starts, not which page it is: its number and the page before it are known only when this tab
 * got there with "Next". A page opened from a link (or a reload) has an unknown place, and the list
 * must not invent row numbers for it.
 */
/** `index` (0 for the first page) is undefined when the page was reached from one of unknown place. */
export type PagePosition = { index: number | undefined; previousCursor: string | undefined };
export type PageHistory = ReadonlyMap<string, PagePosition>;

/** `scope` names one list (its filters and page size): a cursor means nothing under other filters. */
const keyOf = (scope: string, cursor: string) => `${scope}\u0000${cursor}`;

/** The page's place: page 0 without a cursor, else what "Next" recorded, else undefined (unknown). */
export function findPagePosition(history: PageHistory, scope: string, cursor: string | undefined): PagePosition | undefined {
  if (cursor === undefined) {
    return { index: 0, previousCursor: undefined };
  }
  return history.get(keyOf(scope, cursor));
}

/** Records that `nextCursor` follows the page at `cursor` (numbered when that page's number is known). */
export function rememberNextPage(history: PageHistory, scope: string, cursor: string | undefined, nextCursor: string): PageHistory {
  const index = findPagePosition(history, scope, cursor)?.index;
  const next = new Map(history);
  next.set(keyOf(scope, nextCursor), { index: index === undefined ? undefined : index + 1, previousCursor: cursor });
  return next;
}

/** "Rows 51–100" when the page's place is known; else only how many rows, never made-up numbers. */
export function describeRows(position: PagePosition | undefined, pageSize: number, rowCount: number): string {
  if (rowCount === 0) {
    return 'No rows';
  }
  if (position?.index === undefined) {
    return `${rowCount} row${rowCount === 1 ? '' : 's'}, further down the list`;
  }
  const first = position.index * pageSize + 1;
  return `Rows ${first}–${first + rowCount - 1}`;
}
