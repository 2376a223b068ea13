import { describe, expect, it } from 'vitest';
import { describeRows, findPagePosition, rememberNextPage, type PageHistory } from './page-history';

const empty: PageHistory = new Map();

describe('page history of a keyset-paginated list', () => {
  it('knows the first page without any history', () => {
    expect(findPagePosition(empty, 'status=error', undefined)).toEqual({ index: 0, previousCursor: undefined });
  });

  it('does not know a page opened from a link with a cursor', () => {
    expect(findPagePosition(empty, 'status=error', 'c5')).toBeUndefined();
  });

  it('learns each page reached with Next, and the page before it', () => {
    let history = rememberNextPage(empty, 's', undefined, 'c1');
    history = rememberNextPage(history, 's', 'c1', 'c2');
    expect(findPagePosition(history, 's', 'c1')).toEqual({ index: 1, previousCursor: undefined });
    expect(findPagePosition(history, 's', 'c2')).toEqual({ index: 2, previousCursor: 'c1' });
  });

  it('after a page of unknown place, knows the way back but not the page number', () => {
    const history = rememberNextPage(empty, 's', 'c5', 'c6');
    expect(findPagePosition(history, 's', 'c6')).toEqual({ index: undefined, previousCursor: 'c5' });
    expect(findPagePosition(history, 's', 'c5')).toBeUndefined();
  });

  it('keeps lists with other filters apart', () => {
    const history = rememberNextPage(empty, 'status=error', undefined, 'c1');
    expect(findPagePosition(history, 'status=complete', 'c1')).toBeUndefined();
  });
});

describe('describeRows', () => {
  it('numbers the rows of a page whose place is known', () => {
    expect(describeRows({ index: 0, previousCursor: undefined }, 50, 50)).toBe('Rows 1–50');
    expect(describeRows({ index: 1, previousCursor: undefined }, 50, 50)).toBe('Rows 51–100');
    expect(describeRows({ index: 2, previousCursor: 'c1' }, 50, 7)).toBe('Rows 101–107');
  });

  it('claims no numbers for a page of unknown place', () => {
    expect(describeRows(undefined, 50, 50)).toBe('50 rows, further down the list');
    expect(describeRows(undefined, 50, 1)).toBe('1 row, further down the list');
    expect(describeRows({ index: undefined, previousCursor: 'c5' }, 50, 50)).toBe('50 rows, further down the list');
  });

  it('says when a page is empty', () => {
    expect(describeRows(undefined, 50, 0)).toBe('No rows');
  });
});
