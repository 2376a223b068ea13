export type PrometheusSample = { labels: Record<string, string>; value: number };

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"/g;

function unescapeLabel(value: string): string {
  return value.replace(/\\(["\\n])/g, (_match, char: string) => (char === 'n' ? '\n' : char));
}

/** The samples of one metric in Prometheus text format (GET /api/v1/metrics), e.g. the `switchyard_tasks` gauge. */
export function readPrometheusSamples(text: string, metric: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) {
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match || match[1] !== metric) {
      continue;
    }
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      labels[label[1]!] = unescapeLabel(label[2]!);
    }
    const value = Number(match[3]);
    if (Number.isFinite(value)) {
      samples.push({ labels, value });
    }
  }
  return samples;
}
