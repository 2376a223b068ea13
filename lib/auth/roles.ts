/**
 * Roles, lowest first: a viewer reads; an operator also creates tasks and repairs them (retry, resolve,
 * skip, cancel, edit a context, bulk retry, demo service modes); an admin also saves templates and
 * manages tokens.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether `granted` may do what needs `required`. */
export function hasRole(granted: Role, required: Role): boolean {
  return ROLES.indexOf(granted) >= ROLES.indexOf(required);
}
