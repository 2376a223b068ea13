import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { bulkTaskAction } from '../actions/bulk-task-action';
import { compensateTask } from '../actions/compensate-task';
import { createTask } from '../actions/create-task';
import { registerTemplates } from '../actions/register-templates';
import { rerunStep } from '../actions/rerun-step';
import { defaultHandlerRegistry } from '../handlers/index';
import { listTasks } from '../reads/list-tasks';
import { createServiceCallerFactory } from '../runtime/host';
import { KNOWN_SERVICE_NAMES, resolveServiceUrls } from '../services/service-registry';
import { setUpDemoServicesForTests } from '../testing/demo-services-testing';
import { registrationContext, waitFor, waitForTaskStatus } from '../testing/task-testing';
import { startOrchestrator } from './runner';

/**
 * The registration story's cleanup (issue 15): billing refuses a card for good, and compensating the
 * task removes what the other services created, through templates/user_registration.yaml's compensations
 * and the demo services' DELETE. And re-running the welcome step really sends a second welcome sequence.
 */
const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const services = [...KNOWN_SERVICE_NAMES];
const testServices = setUpDemoServicesForTests();
const running = testServices.running;

describeEachDatabase('the registration workflow undoes itself, and re-sends its welcome', (suite) => {
  const db = () => suite.database.db;

  async function start() {
    await registerTemplates(db(), { directories: [path.resolve('templates')], handlers, services });
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      createServiceCaller: createServiceCallerFactory(resolveServiceUrls({ env: {}, demoServicesUrl: testServices.demo.url })),
      concurrency: 20,
      pollIntervalMs: 50,
      shutdownGraceMs: 100,
    });
    running.push(orchestrator);
  }

  function records() {
    const summary = testServices.demo.state.summarize().services;
    return Object.fromEntries(services.map((name) => [name, summary[name].records]));
  }

  async function register(email: string) {
    const { task } = await createTask(db(), { namespace: 'blog_examples', name: 'user_registration', context: registrationContext(email) });
    return task.id;
  }

  async function listed(taskId: number) {
    return (await listTasks(db(), { limit: 200 })).items.find((item) => item.id === String(taskId));
  }

  async function stepsOf(taskId: number) {
    const rows = await queryRows<{ name: string; status: string; attempts: number }>(
      db(),
      sql`select name, status, attempts from steps where task_id = ${taskId} order by position`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, { status: row.status, attempts: row.attempts }]));
  }

  it('billing rejects the card (422) → compensate → no user, no preferences, no billing profile left', async () => {
    await start();
    testServices.demo.state.configure('billing', { mode: 'reject' });
    const taskId = await register('rejected@example.com');
    expect(await waitForTaskStatus(db(), taskId, ['error', 'complete'])).toBe('error');
    await waitFor(async () => records().preferences === 1, { what: 'the preferences to be saved' });
    expect(records()).toMatchObject({ user: 1, billing: 0, preferences: 1, notification: 0 });

    const plan = await compensateTask(db(), { taskId, actor: 'ops', dryRun: true });
    expect(plan.compensations.map((entry) => [entry.step, entry.depends_on])).toEqual([
      ['compensate.initialize_preferences', []],
      ['compensate.create_user_account', ['compensate.initialize_preferences']],
    ]);
    await compensateTask(db(), { taskId, actor: 'ops', reason: 'card refused for good: undo the sign-up' });
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('compensated');
    expect(records()).toEqual({ user: 0, billing: 0, preferences: 0, notification: 0 });
    expect(await stepsOf(taskId)).toMatchObject({
      create_user_account: { status: 'compensated' },
      setup_billing_profile: { status: 'cancelled' },
      initialize_preferences: { status: 'compensated' },
      send_welcome_sequence: { status: 'cancelled' },
      'compensate.initialize_preferences': { status: 'complete', attempts: 1 },
      'compensate.create_user_account': { status: 'complete', attempts: 1 },
    });
    // The task list counts the template's five steps, not the compensations: none done, two undone.
    expect(await listed(taskId)).toMatchObject({ status: 'compensated', step_count: 5, steps_done: 0, steps_undone: 2 });
  });

  it('a user who already had an account keeps it: the adopted account is not undone, the preferences this task saved are', async () => {
    await start();
    // The account is there before the task: its create_user_account gets 409 and adopts it.
    const existing = await fetch(`${testServices.demo.url}/user/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'had-one@example.com', name: 'Had One' }),
    });
    expect(existing.status).toBe(201);
    const userId = ((await existing.json()) as { id: string }).id;
    testServices.demo.state.configure('billing', { mode: 'reject' });
    const taskId = await register('had-one@example.com');
    expect(await waitForTaskStatus(db(), taskId, ['error', 'complete'])).toBe('error');
    await waitFor(async () => records().preferences === 1, { what: 'the preferences to be saved' });
    const [account] = await queryRows<{ results: { id: string; already_existed: boolean } }>(
      db(),
      sql`select results from steps where task_id = ${taskId} and name = 'create_user_account'`,
    );
    expect(account!.results).toMatchObject({ id: userId, already_existed: true });

    // The dry run lists the preferences' compensation only, and the account as kept, with why.
    const plan = await compensateTask(db(), { taskId, actor: 'ops', dryRun: true });
    expect(plan.compensations.map((entry) => [entry.step, entry.depends_on])).toEqual([['compensate.initialize_preferences', []]]);
    expect(plan.skipped).toEqual([
      { step: 'compensate.create_user_account', compensates: 'create_user_account', reason: expect.stringContaining('already_existed: true') },
    ]);
    // The bulk dry run counts the same steps.
    const bulk = await bulkTaskAction(db(), { action: 'compensate', ids: [taskId], dryRun: true, actor: 'ops' });
    expect(bulk).toMatchObject({ tasks: 1, steps: [{ name: 'initialize_preferences', count: 1 }] });

    await compensateTask(db(), { taskId, actor: 'ops', reason: 'card refused: undo what this sign-up did' });
    expect(await waitForTaskStatus(db(), taskId, ['compensated', 'error'])).toBe('compensated');
    // The pre-existing user is still there; the preferences this task created are gone.
    expect(records()).toEqual({ user: 1, billing: 0, preferences: 0, notification: 0 });
    expect((await fetch(`${testServices.demo.url}/user/users/${userId}`)).status).toBe(200);
    const byName = await stepsOf(taskId);
    expect(byName).toMatchObject({
      create_user_account: { status: 'complete' },
      initialize_preferences: { status: 'compensated' },
      'compensate.initialize_preferences': { status: 'complete', attempts: 1 },
    });
    expect(byName['compensate.create_user_account']).toBeUndefined();
    expect(await listed(taskId)).toMatchObject({ status: 'compensated', step_count: 5, steps_done: 1, steps_undone: 1 });
    // The audit says why the account was not undone.
    const trail = await queryRows<{ from_status: string; to_status: string; reason: string; actor: string }>(
      db(),
      sql`select t.from_status, t.to_status, t.reason, t.actor from transitions t join steps s on s.id = t.step_id
        where t.task_id = ${taskId} and s.name = 'create_user_account' order by t.id`,
    );
    expect(trail.at(-1)).toMatchObject({
      from_status: 'complete',
      to_status: 'complete',
      actor: 'ops',
      reason: expect.stringMatching(/^not undone: .*already_existed: true/),
    });
  });

  it('100 rejected sign-ups: a bulk dry run counts them, then bulk compensate leaves no record behind', async () => {
    await start();
    testServices.demo.state.configure('billing', { mode: 'reject' });
    const ids: number[] = [];
    for (let index = 0; index < 100; index += 1) {
      ids.push(await register(`bulk${index}@example.com`));
    }
    for (const id of ids) {
      expect(await waitForTaskStatus(db(), id, ['error', 'complete'])).toBe('error');
    }
    await waitFor(async () => records().preferences === 100, { what: 'every preference set to be saved' });
    const filter = { namespace: 'blog_examples', name: 'user_registration', status: ['error' as const] };
    const dry = await bulkTaskAction(db(), { action: 'compensate', filter, dryRun: true, actor: 'ops' });
    expect(dry).toMatchObject({ action: 'compensate', dry_run: true, tasks: 100, truncated: false, refused: [] });
    expect(dry.steps).toEqual([
      { name: 'create_user_account', count: 100 },
      { name: 'initialize_preferences', count: 100 },
    ]);
    expect(records()).toMatchObject({ user: 100, preferences: 100 });

    const done = await bulkTaskAction(db(), { action: 'compensate', filter, dryRun: false, actor: 'ops', reason: 'billing outage clean-up' });
    expect(done).toMatchObject({ action: 'compensate', dry_run: false, tasks: 100, refused: [] });
    for (const id of ids) {
      expect(await waitForTaskStatus(db(), id, ['compensated', 'error'])).toBe('compensated');
    }
    expect(records()).toEqual({ user: 0, billing: 0, preferences: 0, notification: 0 });
    // Called again, none matches any more.
    expect(await bulkTaskAction(db(), { action: 'compensate', filter, dryRun: true, actor: 'ops' })).toMatchObject({ tasks: 0 });
  });

  it('re-running the welcome step sends a second sequence with a new Idempotency-Key; upstream keeps one attempt', async () => {
    await start();
    const taskId = await register('welcome@example.com');
    expect(await waitForTaskStatus(db(), taskId, ['complete', 'error'])).toBe('complete');
    const notification = testServices.demo.state.services.notification;
    expect([...notification.replies.keys()]).toHaveLength(1);

    await rerunStep(db(), { taskId, step: 'send_welcome_sequence', downstream: false, actor: 'ops', reason: 'the first e-mails bounced' });
    expect(await waitForTaskStatus(db(), taskId, ['complete', 'error'])).toBe('complete');
    const keys = [...notification.replies.keys()];
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
    expect(records()).toMatchObject({ user: 1, billing: 1, preferences: 1, notification: 2 });
    expect(await stepsOf(taskId)).toMatchObject({
      create_user_account: { status: 'complete', attempts: 1 },
      setup_billing_profile: { status: 'complete', attempts: 1 },
      initialize_preferences: { status: 'complete', attempts: 1 },
      send_welcome_sequence: { status: 'complete', attempts: 2 },
      update_user_status: { status: 'complete', attempts: 1 },
    });

    // With downstream, the step after it runs again too (a third sequence, the user updated once more).
    const userCalls = testServices.demo.state.services.user.calls;
    await rerunStep(db(), { taskId, step: 'send_welcome_sequence', downstream: true, actor: 'ops', reason: 'again, with the status' });
    expect(await waitForTaskStatus(db(), taskId, ['complete', 'error'])).toBe('complete');
    expect(records()).toMatchObject({ notification: 3 });
    expect(testServices.demo.state.services.user.calls).toBe(userCalls + 1);
    expect(await stepsOf(taskId)).toMatchObject({
      create_user_account: { attempts: 1 },
      setup_billing_profile: { attempts: 1 },
      initialize_preferences: { attempts: 1 },
      send_welcome_sequence: { status: 'complete', attempts: 3 },
      update_user_status: { status: 'complete', attempts: 2 },
    });
  });
});
