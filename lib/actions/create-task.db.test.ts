import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { AppError, type ErrorDetail } from '../errors';
import { getTaskDetailOrThrow } from '../reads/get-task-detail';
import { MAX_TEMPLATE_STEPS } from '../templates/validate-template';
import { saveTestTemplate } from '../testing/task-testing';
import { createTask } from './create-task';

const registrationSchema = {
  type: 'object',
  required: ['user_info'],
  properties: {
    user_info: {
      type: 'object',
      required: ['email', 'name'],
      properties: {
        email: { type: 'string', format: 'email' },
        name: { type: 'string', minLength: 1 },
        plan: { type: 'string', enum: ['free', 'pro', 'enterprise'], default: 'free' },
      },
    },
    preferences: {
      type: 'object',
      default: {},
      properties: { marketing_emails: { type: 'boolean', default: false } },
    },
  },
};

describeEachDatabase('creating a task', (suite) => {
  async function saveRegistration(identityFields: string[] = []) {
    await saveTestTemplate(suite.database.db, {
      name: 'registration',
      schema: registrationSchema,
      identityFields,
      steps: [
        { name: 'create_user', handler: 'test.noop' },
        { name: 'billing', handler: 'test.noop', dependsOn: ['create_user'] },
        { name: 'preferences', handler: 'test.noop', dependsOn: ['create_user'] },
      ],
    });
  }

  async function countRows() {
    const [row] = await queryRows<{ tasks: number; steps: number; dependencies: number; transitions: number }>(
      suite.database.db,
      sql`select (select count(*) from tasks)::int as tasks, (select count(*) from steps)::int as steps,
        (select count(*) from step_dependencies)::int as dependencies, (select count(*) from transitions)::int as transitions`,
    );
    return row!;
  }

  it('expands the template into steps and dependencies, applying schema defaults', async () => {
    await saveRegistration();
    const { task, created } = await createTask(suite.database.db, {
      namespace: 'tests',
      name: 'registration',
      context: { user_info: { email: 'ann@example.com', name: 'Ann' } },
      correlationId: 'corr-123',
    });
    expect(created).toBe(true);
    expect(task.status).toBe('pending');
    expect(task.version).toBe('1.0.0');
    expect(task.correlationId).toBe('corr-123');
    expect(task.context).toEqual({ user_info: { email: 'ann@example.com', name: 'Ann', plan: 'free' }, preferences: { marketing_emails: false } });
    const steps = await queryRows<{ name: string; status: string; pending_dependencies: number }>(
      suite.database.db,
      sql`select name, status, pending_dependencies from steps where task_id = ${task.id} order by position`,
    );
    expect(steps).toEqual([
      { name: 'create_user', status: 'ready', pending_dependencies: 0 },
      { name: 'billing', status: 'pending', pending_dependencies: 1 },
      { name: 'preferences', status: 'pending', pending_dependencies: 1 },
    ]);
    expect(await countRows()).toEqual({ tasks: 1, steps: 3, dependencies: 2, transitions: 4 });
  });

  it('reports every schema violation with its JSON path, and writes nothing', async () => {
    await saveRegistration();
    const before = await countRows();
    const error = await createTask(suite.database.db, {
      namespace: 'tests',
      name: 'registration',
      context: { user_info: { email: 'not-an-email', plan: 'platinum' } },
    }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_input');
    const paths = (error as AppError).details.map((detail: ErrorDetail) => detail.path).sort();
    expect(paths).toEqual(['/context/user_info/email', '/context/user_info/name', '/context/user_info/plan']);
    expect((error as AppError).details.find((detail) => detail.path === '/context/user_info/email')!.message).toMatch(/email/);
    expect(await countRows()).toEqual(before);
  });

  it('refuses an unknown template or version with not_found', async () => {
    await saveRegistration();
    for (const input of [
      { namespace: 'tests', name: 'nope' },
      { namespace: 'other', name: 'registration' },
      { namespace: 'tests', name: 'registration', version: '9.9.9' },
    ]) {
      const error = await createTask(suite.database.db, { ...input, context: {} }).catch((thrown: unknown) => thrown);
      expect((error as AppError).code).toBe('not_found');
    }
  });

  it('returns the existing task for a repeated idempotency key, even when requests race', async () => {
    await saveRegistration();
    const context = { user_info: { email: 'bo@example.com', name: 'Bo' } };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        createTask(suite.database.db, { namespace: 'tests', name: 'registration', context, idempotencyKey: 'signup-bo' }),
      ),
    );
    expect(new Set(results.map((result) => result.task.id)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect((await countRows()).tasks).toBe(1);
  });

  it('refuses an idempotency key reused with another request, and returns the task for the same request', async () => {
    await saveRegistration();
    const request = {
      namespace: 'tests',
      name: 'registration',
      idempotencyKey: 'signup-fay',
      context: { user_info: { email: 'fay@example.com', name: 'Fay' } },
    };
    const first = await createTask(suite.database.db, request);
    const before = await countRows();
    // The same request, its keys in another order: the same task.
    const again = await createTask(suite.database.db, { ...request, context: { user_info: { name: 'Fay', email: 'fay@example.com' } } });
    expect(again).toEqual({ task: first.task, created: false });
    for (const other of [
      { ...request, context: { user_info: { email: 'gus@example.com', name: 'Gus' } } },
      { ...request, context: { user_info: { email: 'fay@example.com', name: 'Fay', plan: 'pro' } } },
      { ...request, version: '1.0.0' },
    ]) {
      const error = await createTask(suite.database.db, other).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('invalid_input');
      expect((error as AppError).message).toMatch(/Idempotency-Key was already used for a different request/);
      expect((error as AppError).details).toEqual([{ path: '/idempotency_key', message: expect.stringContaining(`task ${first.task.id}`) }]);
    }
    expect(await countRows()).toEqual(before);
  });

  it('returns the task of a repeated request after a newer version was saved, when the request named no version', async () => {
    await saveRegistration();
    const request = {
      namespace: 'tests',
      name: 'registration',
      idempotencyKey: 'signup-hal',
      context: { user_info: { email: 'hal@example.com', name: 'Hal' } },
    };
    const first = await createTask(suite.database.db, request);
    await saveTestTemplate(suite.database.db, {
      name: 'registration',
      version: '2.0.0',
      schema: registrationSchema,
      steps: [{ name: 'only_step', handler: 'test.noop' }],
    });
    expect(await createTask(suite.database.db, request)).toEqual({ task: first.task, created: false });
  });

  it('answers racing requests that share an idempotency key: one task for the first body, a refusal for each other body', async () => {
    await saveRegistration();
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        createTask(suite.database.db, {
          namespace: 'tests',
          name: 'registration',
          idempotencyKey: 'signup-race',
          context: { user_info: { email: `racer${index % 3}@example.com`, name: 'Racer' } },
        }).then(
          ({ task, created }) => ({ id: task.id, email: (task.context as { user_info: { email: string } }).user_info.email, created, index }),
          (error: unknown) => ({ code: (error as AppError).code, index }),
        ),
      ),
    );
    const answered = outcomes.filter((outcome) => 'id' in outcome);
    expect(new Set(answered.map((outcome) => outcome.id)).size).toBe(1);
    expect(answered.filter((outcome) => outcome.created)).toHaveLength(1);
    const winnerEmail = answered[0]!.email;
    for (const outcome of outcomes) {
      const email = `racer${outcome.index % 3}@example.com`;
      expect(outcome).toEqual(
        email === winnerEmail ? expect.objectContaining({ id: answered[0]!.id }) : { code: 'invalid_input', index: outcome.index },
      );
    }
    expect((await countRows()).tasks).toBe(1);
  });

  it("returns the existing task when the template's identity fields match", async () => {
    await saveRegistration(['user_info.email']);
    const first = await createTask(suite.database.db, {
      namespace: 'tests',
      name: 'registration',
      context: { user_info: { email: 'cy@example.com', name: 'Cy' } },
    });
    const again = await createTask(suite.database.db, {
      namespace: 'tests',
      name: 'registration',
      context: { user_info: { email: 'cy@example.com', name: 'Cy again' } },
    });
    const other = await createTask(suite.database.db, {
      namespace: 'tests',
      name: 'registration',
      context: { user_info: { email: 'di@example.com', name: 'Di' } },
    });
    expect(again).toEqual({ task: first.task, created: false });
    expect(other.created).toBe(true);
  });

  it('pins the version it was created from: a newer version changes nothing for it', async () => {
    await saveRegistration();
    const { task } = await createTask(suite.database.db, {
      namespace: 'tests',
      name: 'registration',
      context: { user_info: { email: 'ed@example.com', name: 'Ed' } },
    });
    await saveTestTemplate(suite.database.db, { name: 'registration', version: '1.1.0', steps: [{ name: 'only_step', handler: 'test.noop' }] });
    const newer = await createTask(suite.database.db, { namespace: 'tests', name: 'registration', context: {} });
    expect(newer.task.version).toBe('1.1.0');
    const steps = await queryRows<{ name: string }>(suite.database.db, sql`select name from steps where task_id = ${task.id} order by position`);
    expect(steps.map((step) => step.name)).toEqual(['create_user', 'billing', 'preferences']);
  });

  it(`creates the task of a template as large as validation accepts (${MAX_TEMPLATE_STEPS.toLocaleString('en-US')} steps in a chain)`, async () => {
    await saveTestTemplate(suite.database.db, {
      name: 'largest',
      steps: Array.from({ length: MAX_TEMPLATE_STEPS }, (_, index) => ({
        name: `s${index}`,
        handler: 'test.noop',
        dependsOn: index === 0 ? [] : [`s${index - 1}`],
      })),
    });
    const { task, created } = await createTask(suite.database.db, { namespace: 'tests', name: 'largest', context: {} });
    expect(created).toBe(true);
    expect(await countRows()).toEqual({
      tasks: 1,
      steps: MAX_TEMPLATE_STEPS,
      dependencies: MAX_TEMPLATE_STEPS - 1,
      transitions: MAX_TEMPLATE_STEPS + 1,
    });
    const detail = await getTaskDetailOrThrow(suite.database.db, task.id);
    expect(detail.steps.at(-1)).toMatchObject({ name: `s${MAX_TEMPLATE_STEPS - 1}`, status: 'pending', depends_on: [`s${MAX_TEMPLATE_STEPS - 2}`] });
    expect(detail.steps.filter((step) => step.status === 'ready').map((step) => step.name)).toEqual(['s0']);
  });

  it('writes a large task in one transaction: a statement failing late leaves nothing behind', async () => {
    // Validation refuses duplicate names; written directly, the duplicate fails the second batch of steps.
    await saveTestTemplate(suite.database.db, {
      name: 'broken',
      steps: Array.from({ length: 1500 }, (_, index) => ({ name: index === 1400 ? 's0' : `s${index}`, handler: 'test.noop' })),
    });
    const before = await countRows();
    await expect(createTask(suite.database.db, { namespace: 'tests', name: 'broken', context: {} })).rejects.toThrow();
    expect(await countRows()).toEqual(before);
  });
});
