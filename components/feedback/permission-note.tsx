import type { Permission } from '../../lib/api/permissions';

/**
 * Why the actions beside it are disabled for this role ("Your role (viewer) can't retry…; ask for an
 * operator token"); nothing when they are allowed. Give the buttons `aria-describedby={id}`.
 */
export function PermissionNote({ permission, id }: { permission: Permission; id?: string }) {
  if (permission.allowed) {
    return null;
  }
  return (
    <p className="permission-note" id={id} data-testid="permission-note">
      {permission.reason}
    </p>
  );
}
