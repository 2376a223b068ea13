/** Leaf fields worth a column: e-mail addresses first, then names and plans, found up to three levels deep. */
const PREFERRED_KEYS = ['email', 'name', 'plan', 'company', 'id'];

function collectLeaves(value: unknown, path: string, depth: number, into: { path: string; key: string; value: string }[]) {
  if (depth > 3 || typeof value !== 'object' || value === null || Array.isArray(value)) {
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (typeof child === 'string' || typeof child === 'number' || typeof child === 'boolean') {
      into.push({ path: childPath, key, value: String(child) });
    } else {
      collectLeaves(child, childPath, depth + 1, into);
    }
  }
}

/** Up to `limit` key fields of a task's context, e.g. `user_info.email`, for the task list. */
export function keyContextFields(context: unknown, limit = 2): { path: string; value: string }[] {
  const leaves: { path: string; key: string; value: string }[] = [];
  collectLeaves(context, '', 0, leaves);
  const rank = (leaf: { key: string; value: string }) => {
    if (/^[^@\s]+@[^@\s]+$/.test(leaf.value)) {
      return 0;
    }
    const index = PREFERRED_KEYS.indexOf(leaf.key);
    return index === -1 ? 100 : index + 1;
  };
  return leaves
    .map((leaf, order) => ({ leaf, order, rank: rank(leaf) }))
    .filter((entry) => entry.rank < 100)
    .sort((a, b) => a.rank - b.rank || a.order - b.order)
    .slice(0, limit)
    .map(({ leaf }) => ({ path: leaf.path, value: leaf.value }));
}
