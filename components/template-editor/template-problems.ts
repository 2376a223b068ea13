import type { TemplateValidationResult } from '../../lib/api/types';

export type TemplateProblem = TemplateValidationResult['errors'][number];

/** The steps of each cycle the validator reported ('cycle: a → b → a'), in running order, the first not repeated. */
export function cyclesOfProblems(problems: readonly TemplateProblem[]): string[][] {
  return problems.flatMap((problem) => {
    const match = /^cycle: (.+)$/.exec(problem.message);
    if (!match?.[1]) {
      return [];
    }
    const names = match[1].split(' → ').map((name) => name.trim());
    return names.length > 1 ? [names.slice(0, -1)] : [];
  });
}

/** Step names and `source>target` edge keys that lie on a reported cycle, for the preview to mark. */
export function cycleMarks(problems: readonly TemplateProblem[]): { steps: Set<string>; edges: Set<string> } {
  const steps = new Set<string>();
  const edges = new Set<string>();
  for (const cycle of cyclesOfProblems(problems)) {
    cycle.forEach((name, index) => {
      const next = cycle[(index + 1) % cycle.length] ?? name;
      steps.add(name);
      // Running order: `next` depends on `name`, so the edge runs name → next.
      edges.add(`${name}>${next}`);
    });
  }
  return { steps, edges };
}

/** A problem's line clamped into the document (a problem without a line belongs to line 1). */
export function problemLine(problem: TemplateProblem, lineCount: number): number {
  return Math.min(Math.max(problem.line ?? 1, 1), Math.max(lineCount, 1));
}
