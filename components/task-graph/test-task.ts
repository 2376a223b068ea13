import type { StepSummary, TaskDetail } from '../../lib/api/types';
import type { StepStatus } from '../../lib/statuses';

/** A registration-shaped task for the graph's unit tests. */
export function makeTestTask(statuses: Record<string, StepStatus> = {}): TaskDetail {
  const step = (name: string, dependsOn: string[]): StepSummary => ({
    id: name,
    name,
    handler: `registration.${name}`,
    service: 'user',
    status: statuses[name] ?? 'pending',
    attempts: 1,
    attempts_this_round: 1,
    retry_limit: 3,
    retryable: true,
    skippable: false,
    timeout_seconds: 30,
    next_attempt_at: null,
    started_at: null,
    completed_at: null,
    results: null,
    last_error: null,
    kind: 'step',
    compensates: null,
    rerun_round: 0,
    depends_on: dependsOn,
    waiting_reason: null,
    results_schema: null,
  });
  return {
    id: '1',
    namespace: 'blog_examples',
    name: 'user_registration',
    version: '1.0.0',
    revision: '1',
    status: 'in_progress',
    context: {},
    correlation_id: 'c',
    idempotency_key: null,
    created_by: 'system',
    created_at: '2024-05-01T12:00:00.000Z',
    updated_at: '2024-05-01T12:00:00.000Z',
    completed_at: null,
    steps: [
      step('create_user_account', []),
      step('setup_billing_profile', ['create_user_account']),
      step('initialize_preferences', ['create_user_account']),
      step('send_welcome_sequence', ['setup_billing_profile', 'initialize_preferences']),
      step('update_user_status', ['send_welcome_sequence']),
    ],
  };
}
