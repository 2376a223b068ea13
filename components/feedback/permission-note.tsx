import type { ButtonHTMLAttributes, SyntheticEvent } from 'react';
import type { Permission } from '../../lib/api/permissions';

/**
 * Why the actions beside it are unavailable to this role ("Your role (viewer) can't retry…; ask for an
 * operator token"); nothing when they are allowed. Give the buttons `blockedBy(permission, id)`.
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

const swallow = (event: SyntheticEvent) => {
  event.preventDefault();
  event.stopPropagation();
};

/**
 * Props for an action button this role may not use: aria-disabled rather than disabled, so Tab still
 * reaches it and a screen reader reads why (its description is the PermissionNote `noteId`, its title
 * the reason); a click or Enter does nothing. Empty when the action is allowed.
 */
export function blockedBy(permission: Permission, noteId?: string): ButtonHTMLAttributes<HTMLButtonElement> {
  if (permission.allowed) {
    return {};
  }
  return { 'aria-disabled': true, title: permission.reason, 'aria-describedby': noteId, onClickCapture: swallow };
}
