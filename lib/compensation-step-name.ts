/**
 * The step that undoes step `x` is named `compensate.x`: a dot cannot appear in a template's step
 * names (NAME_PATTERN), so the name never clashes with one, and it works as `{step}` in a URL.
 * Client-safe: the dashboard reads it too.
 */
const PREFIX = 'compensate.';

export function compensationStepName(step: string): string {
  return `${PREFIX}${step}`;
}

/** The step a compensation step undoes, from its name. */
export function compensatedStepName(compensationStep: string): string {
  return compensationStep.startsWith(PREFIX) ? compensationStep.slice(PREFIX.length) : compensationStep;
}
