import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client';
import { saveTemplateVersion } from '../actions/save-template-version';
import { TEMPLATE_DEFAULTS, type StepTemplate, type TemplateDefinition } from '../templates/template-definition';

/** Test-only helpers: build templates without YAML, and wait on the database for a condition. */
export type TestStep = Partial<Omit<StepTemplate, 'name' | 'handler' | 'backoff'>> & {
  name: string;
  handler: string;
  backoff?: Partial<StepTemplate['backoff']>;
};

export async function saveTestTemplate(
  db: Db,
  {
    name,
    namespace = 'tests',
    version = '1.0.0',
    schema = { type: 'object' },
    identityFields = [],
    steps,
    onFailure,
  }: {
    name: string;
    namespace?: string;
    version?: string;
    schema?: Record<string, unknown>;
    identityFields?: string[];
    steps: TestStep[];
    onFailure?: TemplateDefinition['onFailure'];
  },
): Promise<TemplateDefinition> {
  const definition: TemplateDefinition = {
    namespace,
    name,
    version,
    description: null,
    schema,
    identityFields,
    ...(onFailure ? { onFailure } : {}),
    steps: steps.map((step) => ({
      description: null,
      handlerConfig: {},
      service: null,
      dependsOn: [],
      retryable: TEMPLATE_DEFAULTS.retryable,
      retryLimit: TEMPLATE_DEFAULTS.retryLimit,
      timeoutSeconds: TEMPLATE_DEFAULTS.timeoutSeconds,
      skippable: TEMPLATE_DEFAULTS.skippable,
      ...step,
      backoff: { ...TEMPLATE_DEFAULTS.backoff, ...step.backoff },
    })),
  };
  await saveTemplateVersion(db, { yaml: '# built by a test\n', definition, actor: 'test' });
  return definition;
}

/** Polls until `read` returns something truthy, or fails after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 25, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function readTaskStatus(db: Db, taskId: number): Promise<string | undefined> {
  const [row] = await queryRows<{ status: string }>(db, sql`select status from tasks where id = ${taskId}`);
  return row?.status;
}

export async function waitForTaskStatus(db: Db, taskId: number, statuses: string[], timeoutMs = 20_000): Promise<string> {
  return waitFor(
    async () => {
      const status = await readTaskStatus(db, taskId);
      return status && statuses.includes(status) ? status : undefined;
    },
    { timeoutMs, what: `task ${taskId} to be ${statuses.join(' or ')}` },
  );
}

export type AttemptTimes = { step: string; number: number; outcome: string; startedAt: number; finishedAt: number | null };

export async function readAttempts(db: Db, taskId: number): Promise<AttemptTimes[]> {
  const rows = await queryRows<{ step: string; number: number; outcome: string; started_ms: number; finished_ms: number | null }>(
    db,
    sql`select s.name as step, a.number, a.outcome, extract(epoch from a.started_at) * 1000 as started_ms,
          extract(epoch from a.finished_at) * 1000 as finished_ms
        from step_attempts a join steps s on s.id = a.step_id where a.task_id = ${taskId} order by a.started_at, s.name`,
  );
  return rows.map((row) => ({
    step: row.step,
    number: row.number,
    outcome: row.outcome,
    startedAt: Number(row.started_ms),
    finishedAt: row.finished_ms === null ? null : Number(row.finished_ms),
  }));
}

/** The context of a registration (templates/user_registration.yaml) for one e-mail address. */
export function registrationContext(email: string, plan = 'pro') {
  return {
    user_info: { email, name: email.split('@')[0], plan },
    billing_info: { payment_method: 'card', billing_address: { street: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' } },
  };
}
