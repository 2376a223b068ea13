import type { Db } from '../../db/client';
import { toQueryString } from '../api/fetch-json';
import type { ServerRead } from '../api/tasks';
import type { TaskDetail, TaskList, TaskListParams } from '../api/types';
import { readAuthConfig } from '../auth/auth-config';
import { reauthenticateRequest } from '../auth/authenticate-request';
import { hasRole } from '../auth/roles';
import { AppError } from '../errors';
import { logger } from '../logger';
import { parseId } from '../parse-id';
import { getTaskDetailOrThrow } from '../reads/get-task-detail';
import { listTasks } from '../reads/list-tasks';
import { compileSchema } from '../validation';
import { operations, type ApiOperationSpec, type OperationQuery } from './api-operations';
import { readQuery } from './read-query';
import { getRouteRuntime } from './route-runtime';

const validateListQuery = compileSchema<OperationQuery<typeof operations.listTasks>>(operations.listTasks.query);

/**
 * The database, when the request that asks for a page may read what `operation` answers: the same
 * check as the API's (lib/http/handle-route.ts), made with the page request's headers. Only the
 * session cookie counts (or local mode): a page request with an Authorization header gets nothing here,
 * so a page is never a way to try tokens past the sign-in limiter. Undefined means "not here": the
 * page then asks the API from the browser, which answers or refuses (and sends to sign-in) as always.
 */
async function authorizePageRead(requestHeaders: Headers, operation: ApiOperationSpec): Promise<Db | undefined> {
  if (requestHeaders.has('authorization')) {
    return undefined;
  }
  const runtime = await getRouteRuntime();
  const request = new Request('http://page.invalid/', { headers: requestHeaders });
  const principal = await reauthenticateRequest(request, { db: runtime.database.db, config: readAuthConfig(runtime.env) });
  const requiredRole = operation.access === 'public' ? 'viewer' : operation.access;
  if (!principal || !hasRole(principal.role, requiredRole)) {
    return undefined;
  }
  return runtime.database.db;
}

/** Runs a page's read; a refusal or a failure leaves the read to the browser (which shows the error as the API gives it). */
async function readForPage<T>(what: string, read: () => Promise<T | undefined>): Promise<ServerRead<T> | undefined> {
  try {
    const data = await read();
    return data === undefined ? undefined : { data, readAt: Date.now() };
  } catch (error) {
    if (!(error instanceof AppError)) {
      logger.warn({ err: error }, `could not read ${what} for the page's first render; the browser will ask`);
    }
    return undefined;
  }
}

/**
 * The first page of GET /api/v1/tasks for `params` (the filters of the page's address), as the API
 * would answer it to this request, or undefined when it would not (see authorizePageRead).
 */
export function readTaskListForPage(requestHeaders: Headers, params: TaskListParams): Promise<ServerRead<TaskList> | undefined> {
  return readForPage('the task list', async () => {
    const db = await authorizePageRead(requestHeaders, operations.listTasks);
    if (!db) {
      return undefined;
    }
    // The query string the browser would send, read as the route reads it: the same validation, the same rows.
    const request = new Request(`http://page.invalid/api/v1/tasks${toQueryString(params)}`);
    return (await listTasks(db, readQuery(request, operations.listTasks.query, validateListQuery))) satisfies TaskList;
  });
}

/** GET /api/v1/tasks/{taskId} for the task page's first render, or undefined (see authorizePageRead; an unknown id too). */
export function readTaskDetailForPage(requestHeaders: Headers, taskId: string): Promise<ServerRead<TaskDetail> | undefined> {
  return readForPage('the task', async () => {
    const id = parseId(taskId);
    const db = id === undefined ? undefined : await authorizePageRead(requestHeaders, operations.getTask);
    return db && id !== undefined ? ((await getTaskDetailOrThrow(db, id)) satisfies TaskDetail) : undefined;
  });
}
