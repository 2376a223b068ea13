import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import { retryTask } from '../actions/retry-task';
import type { Orchestrator } from '../engine/runner';
import { AppError } from '../errors';
import { createFailedSignups, saveSignupTemplate } from '../testing/failure-fixtures';
import { saveTestTemplate } from '../testing/task-testing';
import { getTaskDetailOrThrow } from './get-task-detail';
import { getTemplateDetailOrThrow } from './get-template-detail';
import { getTemplateVersionDetailOrThrow } from './get-template-version-detail';
import { listStepAttempts } from './list-step-attempts';
import { listTaskTransitions } from './list-task-transitions';
import { listTemplates } from './list-templates';

const running: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((orchestrator) => orchestrator.stop()));
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );
}

describeEachDatabase('task and template reads', (suite) => {
  it('shows a task with its steps and dependencies, its audit trail and the attempts of a step', async () => {
    const { database } = suite;
    await saveSignupTemplate(database);
    const [id] = await createFailedSignups(database, ['ann@example.com'], running);
    const detail = await getTaskDetailOrThrow(database.db, id!);
    expect(detail).toMatchObject({ id: String(id), namespace: 'tests', name: 'signup', version: '1.0.0', status: 'error', created_by: 'system' });
    expect(detail.steps.map((step) => [step.name, step.status, step.depends_on])).toEqual([
      ['user', 'complete', []],
      ['billing', 'error', ['user']],
      ['preferences', 'complete', ['user']],
      ['welcome', 'pending', ['billing', 'preferences']],
    ]);
    const billing = detail.steps[1]!;
    expect(billing).toMatchObject({ attempts: 1, attempts_this_round: 1, retry_limit: 3, skippable: true, next_attempt_at: null, results: null });
    expect(billing.last_error).toMatchObject({ class: 'PermanentError', code: 'test_permanent', message: 'card declined for order 123' });

    const transitions = await listTaskTransitions(database.db, id!);
    // The revision counts the audit rows, and any change makes it larger.
    expect(detail.revision).toBe(String(transitions.length));
    expect(transitions[0]).toMatchObject({ step_id: null, step_name: null, from_status: null, to_status: 'pending', actor: 'system' });
    expect(transitions.filter((row) => row.step_name === 'billing').map((row) => row.to_status)).toEqual([
      'pending',
      'ready',
      'in_progress',
      'error',
    ]);
    expect(transitions.filter((row) => row.step_name === null).map((row) => row.to_status)).toEqual(['pending', 'in_progress', 'error']);

    const byName = await listStepAttempts(database.db, { taskId: id!, step: 'billing' });
    const byId = await listStepAttempts(database.db, { taskId: id!, step: billing.id });
    expect(byId).toEqual(byName);
    expect(byName).toHaveLength(1);
    expect(byName[0]).toMatchObject({
      number: 1,
      outcome: 'permanent_error',
      error: { class: 'PermanentError', message: 'card declined for order 123', code: 'test_permanent' },
      http_status: null,
    });
    expect(byName[0]!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(await listStepAttempts(database.db, { taskId: id!, step: 'welcome' })).toEqual([]);
    await retryTask(database.db, { taskId: id!, actor: 'ops' });
    expect(BigInt((await getTaskDetailOrThrow(database.db, id!)).revision)).toBeGreaterThan(BigInt(detail.revision));

    expect(await codeOf(getTaskDetailOrThrow(database.db, 999999))).toBe('not_found');
    expect(await codeOf(listTaskTransitions(database.db, 999999))).toBe('not_found');
    expect(await codeOf(listStepAttempts(database.db, { taskId: id!, step: 'nope' }))).toBe('not_found');
    expect(await codeOf(listStepAttempts(database.db, { taskId: 999999, step: 'billing' }))).toBe('not_found');
  });

  it('lists templates by their newest version and shows each version', async () => {
    const { db } = suite.database;
    await saveTestTemplate(db, { name: 'export', version: '1.2.0', steps: [{ name: 'render', handler: 'test.noop' }] });
    await saveTestTemplate(db, {
      name: 'export',
      version: '1.10.0',
      steps: [
        { name: 'render', handler: 'test.noop' },
        { name: 'mail', handler: 'test.noop', dependsOn: ['render'] },
      ],
    });
    await saveTestTemplate(db, { name: 'export', version: '1.9.0-beta.1', steps: [{ name: 'render', handler: 'test.noop' }] });
    await saveTestTemplate(db, { name: 'archive', namespace: 'reports', steps: [{ name: 'zip', handler: 'test.noop' }] });

    const templates = await listTemplates(db);
    expect(templates.map((item) => [item.namespace, item.name, item.version, item.step_count, item.versions])).toEqual([
      ['reports', 'archive', '1.0.0', 1, ['1.0.0']],
      ['tests', 'export', '1.10.0', 2, ['1.10.0', '1.9.0-beta.1', '1.2.0']],
    ]);

    const detail = await getTemplateDetailOrThrow(db, 'tests', 'export');
    expect(detail.version).toBe('1.10.0');
    expect(detail.versions.map((version) => (typeof version === 'string' ? version : [version.version, version.active]))).toEqual([
      ['1.10.0', true],
      ['1.9.0-beta.1', false],
      ['1.2.0', false],
    ]);
    expect(detail.dag).toEqual({
      nodes: [
        { id: 'render', label: 'render', handler: 'test.noop', service: null },
        { id: 'mail', label: 'mail', handler: 'test.noop', service: null },
      ],
      edges: [{ source: 'render', target: 'mail' }],
    });
    const version = await getTemplateVersionDetailOrThrow(db, 'tests', 'export', '1.2.0');
    expect(version).toMatchObject({ namespace: 'tests', name: 'export', version: '1.2.0', yaml: '# built by a test\n', active: false });
    expect(version.dag.nodes).toHaveLength(1);

    expect(await codeOf(getTemplateDetailOrThrow(db, 'tests', 'nope'))).toBe('not_found');
    expect(await codeOf(getTemplateVersionDetailOrThrow(db, 'tests', 'export', '9.9.9'))).toBe('not_found');
  });
});
