import fs from 'node:fs';
import os from 'node:os';

/** One line of the benchmark's output: the issue's figure name, its value and unit, and on which database. */
export type Figure = {
  figure: string;
  value: number | null;
  unit: string;
  db: 'postgres' | 'pglite';
  /** What was measured exactly (workers, percentile, filter …). */
  setting?: string;
  target?: string;
  verdict?: 'met' | 'missed';
  /** Why the figure was not measured (value is null then). */
  skipped?: string;
  [extra: string]: unknown;
};

export class FigureLog {
  readonly figures: Figure[] = [];

  constructor(private readonly json: boolean) {}

  add(figure: Figure): void {
    this.figures.push(figure);
    if (this.json) {
      process.stdout.write(JSON.stringify(figure) + '\n');
    } else {
      process.stderr.write(`  · ${describe(figure)}\n`);
    }
  }

  skip(figure: Pick<Figure, 'figure' | 'unit' | 'db' | 'setting'>, reason: string): void {
    this.add({ ...figure, value: null, skipped: reason });
  }
}

function formatValue(figure: Figure): string {
  if (figure.value === null) {
    return 'skipped';
  }
  const digits = Math.abs(figure.value) >= 100 ? 0 : Math.abs(figure.value) >= 10 ? 1 : 2;
  return figure.value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function describe(figure: Figure): string {
  return `${figure.figure} [${figure.db}${figure.setting ? `, ${figure.setting}` : ''}]: ${formatValue(figure)} ${figure.unit}${
    figure.skipped ? ` (${figure.skipped})` : ''
  }`;
}

const COLUMNS = ['figure', 'db', 'setting', 'value', 'unit', 'target', 'verdict'] as const;

function rowOf(figure: Figure): string[] {
  return [
    figure.figure,
    figure.db,
    figure.setting ?? '',
    formatValue(figure),
    figure.unit,
    figure.target ?? '',
    figure.skipped ? `skipped: ${figure.skipped}` : (figure.verdict ?? ''),
  ];
}

/** A plain-text table for the terminal. */
export function renderTextTable(figures: readonly Figure[]): string {
  const rows = [COLUMNS.map(String), ...figures.map(rowOf)];
  const widths = COLUMNS.map((_, column) => Math.min(70, Math.max(...rows.map((row) => (row[column] ?? '').length))));
  const line = (row: string[]) =>
    row
      .map((cell, column) => {
        const width = widths[column] as number;
        const text = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
        return column === 3 ? text.padStart(width) : text.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(rows[0] as string[]), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const BASE_KEYS = new Set(['figure', 'value', 'unit', 'db', 'setting', 'target', 'verdict', 'skipped']);
/** Keys repeated from the setting, or too long for a table cell. */
const HIDDEN_DETAILS = new Set([
  'query',
  'wide_nodes',
  'statement',
  'stats',
  'backlog_tasks',
  'planning_ms',
  'execution_ms',
  'jit_ms',
  'p50_ms',
  'rows',
]);

/** The figure's extra fields (runs, CPU per step …) as `key value` pairs. */
function detailsOf(figure: Figure): string {
  return Object.entries(figure)
    .filter(([key, value]) => !BASE_KEYS.has(key) && !HIDDEN_DETAILS.has(key) && value !== null && value !== undefined)
    .map(
      ([key, value]) =>
        `${key} ${Array.isArray(value) ? value.join('/') : typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean)}`,
    )
    .join(', ');
}

/** A Markdown table for bench/RESULTS.md, with each figure's extra fields in a last column. */
export function renderMarkdownTable(figures: readonly Figure[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const columns = [...COLUMNS, 'details'];
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map((column) => (column === 'value' ? '---:' : '---')).join('|')}|`,
    ...figures.map((figure) => `| ${[...rowOf(figure), detailsOf(figure)].map(escape).join(' | ')} |`),
  ].join('\n');
}

export function describeMachine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 1024 ** 3)} GiB memory, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** Where the generated part of RESULTS.md ends and the hand-written analysis begins. */
export const ANALYSIS_MARKER = '<!-- analysis: everything below is kept when --write-results rewrites the table above -->';

export function writeResultsFile(
  file: string,
  {
    figures,
    command,
    postgresVersion,
    notes,
    startedAt,
    seconds,
  }: { figures: readonly Figure[]; command: string; postgresVersion: string | undefined; notes: string[]; startedAt: Date; seconds: number },
): void {
  // Everything below the marker is written by people (the analysis of the figures) and survives a rewrite.
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const kept = previous.includes(ANALYSIS_MARKER) ? previous.slice(previous.indexOf(ANALYSIS_MARKER)) : `${ANALYSIS_MARKER}\n`;
  const lines = [
    '# Benchmark results (latest run)',
    '',
    `- **Command:** \`${command}\``,
    `- **Date:** ${startedAt.toISOString()} (took ${Math.round(seconds)} s)`,
    `- **Machine:** ${describeMachine()}`,
    `- **PostgreSQL:** ${postgresVersion ?? 'not used (no DATABASE_URL)'}`,
    '',
    'Written by `npm run bench -- --write-results`; see bench/README.md for what each figure measures and how.',
    '',
    renderMarkdownTable(figures),
    '',
    ...(notes.length > 0 ? ['## Notes from this run', '', ...notes.map((note) => `- ${note}`), ''] : []),
    kept,
  ];
  fs.writeFileSync(file, lines.join('\n'));
}
