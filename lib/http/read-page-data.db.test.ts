import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../db/testing';
import { createTask } from '../actions/create-task';
import { saveSignupTemplate } from '../testing/failure-fixtures';
import { callHandler, listRouteFiles, loadRouteHandlers, registerRouteTestRuntime } from '../testing/route-testing';
import { readTaskDetailForPage, readTaskListForPage } from './read-page-data';

const ADMIN_TOKEN = 'page-data-admin-token-0123456789abcdef';
const testRuntime = registerRouteTestRuntime();

async function signIn(token: string): Promise<Headers> {
  const route = listRouteFiles().find((file) => file.path === '/api/v1/session')!;
  const session = await loadRouteHandlers(route.file);
  const response = await callHandler(session.POST!, 'POST', route.path, { body: { token } });
  expect(response.status).toBe(200);
  return new Headers({ cookie: `switchyard_session=${/switchyard_session=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')![1]}` });
}

describeEachDatabase("a page's first data, read on the server", (suite) => {
  async function createSignup(email: string): Promise<string> {
    await saveSignupTemplate(suite.database);
    const { task } = await createTask(suite.database.db, { namespace: 'tests', name: 'signup', context: { user_info: { email } } });
    return String(task.id);
  }

  it('in local mode reads the rows the filters of the address select, as GET /tasks would', async () => {
    await testRuntime.start(suite.database);
    const wanted = await createSignup('wanted@example.com');
    await createSignup('other@example.com');
    const read = await readTaskListForPage(new Headers(), { q: 'wanted@example.com', limit: 50 });
    expect(read?.data.items.map((task) => task.id)).toEqual([wanted]);
    expect((await readTaskDetailForPage(new Headers(), wanted))?.data.id).toBe(wanted);
    // An unknown task, a malformed id or an invalid filter: nothing here, the browser asks and shows the API's answer.
    expect(await readTaskDetailForPage(new Headers(), '999999')).toBeUndefined();
    expect(await readTaskDetailForPage(new Headers(), 'abc')).toBeUndefined();
    expect(await readTaskListForPage(new Headers(), { status: 'no_such_status' })).toBeUndefined();
  });

  it('with ADMIN_TOKEN reads nothing for a request without a session, nor for a bearer token; a session reads', async () => {
    await testRuntime.start(suite.database, { adminToken: ADMIN_TOKEN });
    const id = await createSignup('token-mode@example.com');
    expect(await readTaskListForPage(new Headers(), { limit: 50 })).toBeUndefined();
    expect(await readTaskDetailForPage(new Headers(), id)).toBeUndefined();
    expect(await readTaskListForPage(new Headers({ cookie: 'switchyard_session=not-a-session' }), { limit: 50 })).toBeUndefined();
    // A valid token in a header still reads nothing: pages are not a way around the sign-in limiter.
    expect(await readTaskListForPage(new Headers({ authorization: `Bearer ${ADMIN_TOKEN}` }), { limit: 50 })).toBeUndefined();

    const signedIn = await signIn(ADMIN_TOKEN);
    expect((await readTaskListForPage(signedIn, { limit: 50 }))?.data.items.map((task) => task.id)).toEqual([id]);
    expect((await readTaskDetailForPage(signedIn, id))?.data.id).toBe(id);
  });
});
