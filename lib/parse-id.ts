/** A task, step or token id from a path or body: a positive safe integer written in decimal, else undefined. */
export function parseId(value: string | number): number | undefined {
  const id = typeof value === 'number' ? value : /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}
