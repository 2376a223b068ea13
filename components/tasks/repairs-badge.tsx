/**
 * Says that an operator finished some of a task's steps by hand (resolved or skipped): "completed with
 * repairs" once the task is complete, else how many steps were repaired. Nothing when none were.
 */
export function RepairsBadge({ taskStatus, repairedSteps }: { taskStatus: string; repairedSteps: number }) {
  if (repairedSteps === 0) {
    return null;
  }
  const steps = `${repairedSteps} step${repairedSteps === 1 ? '' : 's'}`;
  return (
    <span
      className="status-badge tone-warning repairs-badge"
      data-testid="repairs-badge"
      title={`${steps} resolved or skipped by an operator: their services may not hold what a run would have made`}
    >
      <span aria-hidden="true">⚒</span>
      <span>{taskStatus === 'complete' ? 'completed with repairs' : `${steps} repaired`}</span>
    </span>
  );
}
