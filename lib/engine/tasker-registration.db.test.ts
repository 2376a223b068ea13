import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { queryRows } from '../../db/client';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { saveTemplateVersion } from '../actions/save-template-version';
import { defaultHandlerRegistry } from '../handlers/index';
import { createServiceCallerFactory } from '../runtime/host';
import { KNOWN_SERVICE_NAMES, listServiceNames, readServiceAliases, resolveServiceUrls } from '../services/service-registry';
import { validateTemplate } from '../templates/validate-template';
import { setUpDemoServicesForTests } from '../testing/demo-services-testing';
import { waitForTaskStatus } from '../testing/task-testing';
import { startOrchestrator } from './runner';

const handlers = defaultHandlerRegistry({ withTestHandlers: true });
const validationOptions = { handlers, services: listServiceNames({}), serviceAliases: readServiceAliases({}), environment: 'test' };
const readFixture = (file: string) => readFileSync(path.join(__dirname, '../templates/fixtures/tasker', file), 'utf8');

const testServices = setUpDemoServicesForTests();
const running = testServices.running;

describeEachDatabase("Tasker's blog example (user registration), as Tasker wrote it", (suite) => {
  async function save(file: string) {
    const yaml = readFixture(file);
    const result = validateTemplate(yaml, validationOptions);
    if (!result.valid) {
      throw new Error(JSON.stringify(result.errors));
    }
    await saveTemplateVersion(suite.database.db, { yaml, definition: result.definition, actor: 'test' });
    return result.definition;
  }

  it('runs to complete against the demo services, one record in each service', async () => {
    await save('user_registration_handler.yaml');
    const { task } = await createTask(suite.database.db, {
      namespace: 'blog_examples',
      name: 'user_registration',
      version: '1.1.0',
      context: {
        user_info: { email: 'tasker@example.com', name: 'Tasker', plan: 'pro' },
        billing_info: { payment_method: 'card', billing_address: { street: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701' } },
      },
    });
    const orchestrator = await startOrchestrator({
      database: suite.database,
      handlers,
      createServiceCaller: createServiceCallerFactory(resolveServiceUrls({ env: {}, demoServicesUrl: testServices.demo.url })),
      concurrency: 10,
      pollIntervalMs: 50,
      shutdownGraceMs: 100,
    });
    running.push(orchestrator);
    expect(await waitForTaskStatus(suite.database.db, task.id, ['complete', 'error'])).toBe('complete');
    const steps = await queryRows<{ name: string; handler: string; status: string }>(
      suite.database.db,
      sql`select name, handler, status from steps where task_id = ${task.id} order by position`,
    );
    expect(steps.map((step) => [step.name, step.status])).toEqual([
      ['create_user_account', 'complete'],
      ['setup_billing_profile', 'complete'],
      ['initialize_preferences', 'complete'],
      ['send_welcome_sequence', 'complete'],
      ['update_user_status', 'complete'],
    ]);
    const summary = testServices.demo.state.summarize().services;
    expect(Object.fromEntries(KNOWN_SERVICE_NAMES.map((name) => [name, summary[name].records]))).toEqual({
      user: 1,
      billing: 1,
      preferences: 1,
      notification: 1,
    });
  });

  it("merges the template's default_context under the task's context, the request's values winning", async () => {
    await save('rails_every_key.yaml');
    const { task } = await createTask(suite.database.db, {
      namespace: 'api_task',
      name: 'integration_yaml_example',
      context: { cart_id: 7, flags: { express: true } },
    });
    expect(task.context).toEqual({ cart_id: 7, channel: 'web', flags: { gift_wrap: false, express: true } });
  });
});
