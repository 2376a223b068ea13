import { diffLines } from 'diff';

type DiffCell = { number: number; text: string } | null;
export type DiffRow = { kind: 'same' | 'changed' | 'removed' | 'added'; left: DiffCell; right: DiffCell };

function splitLines(value: string): string[] {
  const lines = value.split('\n');
  if (lines.at(-1) === '') {
    lines.pop();
  }
  return lines;
}

/**
 * Two texts as aligned rows for a side-by-side view: unchanged lines face each other, a removed block
 * faces the block added in its place (row by row, `changed`), and what is left over faces a gap.
 */
export function sideBySideDiff(before: string, after: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let leftNumber = 1;
  let rightNumber = 1;
  let removed: string[] = [];
  const flushRemoved = (added: string[]) => {
    const length = Math.max(removed.length, added.length);
    for (let index = 0; index < length; index++) {
      const leftText = removed[index];
      const rightText = added[index];
      rows.push({
        kind: leftText !== undefined && rightText !== undefined ? 'changed' : leftText !== undefined ? 'removed' : 'added',
        left: leftText !== undefined ? { number: leftNumber++, text: leftText } : null,
        right: rightText !== undefined ? { number: rightNumber++, text: rightText } : null,
      });
    }
    removed = [];
  };
  for (const part of diffLines(before, after)) {
    const lines = splitLines(part.value);
    if (part.removed) {
      removed.push(...lines);
    } else if (part.added) {
      flushRemoved(lines);
    } else {
      flushRemoved([]);
      for (const line of lines) {
        rows.push({ kind: 'same', left: { number: leftNumber++, text: line }, right: { number: rightNumber++, text: line } });
      }
    }
  }
  flushRemoved([]);
  return rows;
}

export function countChanges(rows: readonly DiffRow[]): { added: number; removed: number } {
  return rows.reduce(
    (total, row) => ({
      added: total.added + (row.right && row.kind !== 'same' ? 1 : 0),
      removed: total.removed + (row.left && row.kind !== 'same' ? 1 : 0),
    }),
    { added: 0, removed: 0 },
  );
}
