'use client';

import { Fragment, useMemo, useState } from 'react';
import { countChanges, sideBySideDiff, type DiffRow } from './side-by-side-diff';

const CONTEXT_LINES = 3;

type Block = { kind: 'rows'; rows: DiffRow[] } | { kind: 'folded'; count: number; rows: DiffRow[] };

/** Unchanged runs far from any change fold into one row, so a small change in a long template stands out. */
function foldUnchanged(rows: readonly DiffRow[]): Block[] {
  const near = rows.map(() => false);
  rows.forEach((row, index) => {
    if (row.kind !== 'same') {
      for (let offset = -CONTEXT_LINES; offset <= CONTEXT_LINES; offset++) {
        if (index + offset >= 0 && index + offset < rows.length) {
          near[index + offset] = true;
        }
      }
    }
  });
  const blocks: Block[] = [];
  let index = 0;
  while (index < rows.length) {
    const start = index;
    const keep = near[index];
    while (index < rows.length && near[index] === keep) {
      index++;
    }
    const slice = rows.slice(start, index);
    blocks.push(keep || slice.length <= 2 ? { kind: 'rows', rows: slice } : { kind: 'folded', count: slice.length, rows: slice });
  }
  return blocks;
}

function DiffLine({ row }: { row: DiffRow }) {
  const leftClass = row.kind === 'same' ? '' : row.left ? 'diff-removed' : 'diff-gap';
  const rightClass = row.kind === 'same' ? '' : row.right ? 'diff-added' : 'diff-gap';
  return (
    <tr data-kind={row.kind}>
      <td className={`diff-number ${leftClass}`}>{row.left?.number ?? ''}</td>
      <td className={`diff-text ${leftClass}`} data-side="a">
        {row.left?.text ?? ''}
      </td>
      <td className={`diff-number ${rightClass}`}>{row.right?.number ?? ''}</td>
      <td className={`diff-text ${rightClass}`} data-side="b">
        {row.right?.text ?? ''}
      </td>
    </tr>
  );
}

/** Two versions' YAML side by side: A on the left, B on the right, changed lines marked on each side. */
export function VersionDiff({ before, after, beforeLabel, afterLabel }: { before: string; after: string; beforeLabel: string; afterLabel: string }) {
  const rows = useMemo(() => sideBySideDiff(before, after), [before, after]);
  const blocks = useMemo(() => foldUnchanged(rows), [rows]);
  const [unfolded, setUnfolded] = useState<Set<number>>(new Set());
  const { added, removed } = countChanges(rows);
  return (
    <div className="version-diff" data-testid="version-diff">
      <p className="muted small" data-testid="diff-summary">
        {added === 0 && removed === 0
          ? 'No differences.'
          : `${removed} ${removed === 1 ? 'line' : 'lines'} of ${beforeLabel} changed or removed, ${added} of ${afterLabel} changed or added.`}
      </p>
      <div className="table-scroll">
        <table className="diff-table">
          <colgroup>
            <col className="diff-number-col" />
            <col />
            <col className="diff-number-col" />
            <col />
          </colgroup>
          <thead>
            <tr>
              <th colSpan={2} scope="colgroup">
                A · {beforeLabel}
              </th>
              <th colSpan={2} scope="colgroup">
                B · {afterLabel}
              </th>
            </tr>
          </thead>
          <tbody>
            {blocks.map((block, blockIndex) =>
              block.kind === 'folded' && !unfolded.has(blockIndex) ? (
                <tr key={blockIndex} className="diff-folded">
                  <td colSpan={4}>
                    <button type="button" className="link-button" onClick={() => setUnfolded(new Set([...unfolded, blockIndex]))}>
                      Show {block.count} unchanged lines
                    </button>
                  </td>
                </tr>
              ) : (
                <Fragment key={blockIndex}>
                  {block.rows.map((row, rowIndex) => (
                    <DiffLine key={rowIndex} row={row} />
                  ))}
                </Fragment>
              ),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
