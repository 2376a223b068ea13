import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { insertTaskUnlessDuplicate } from '../db/queries/tasks';
import { describeEachDatabase } from '../db/testing';
import { createLogger } from './logger';
import { getTemplateVersionOrThrow } from './reads/get-template-version';
import { saveTestTemplate } from './testing/task-testing';

/** The log lines a logger made with the app's settings writes. */
function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level: 'info' }, destination), lines };
}

describeEachDatabase('logged errors', (suite) => {
  it('keep message, code and stack, and leave out the statement parameters and the context they carried', async () => {
    await saveTestTemplate(suite.database.db, { name: 'logged', steps: [{ name: 'a', handler: 'test.noop' }] });
    const templateVersion = await getTemplateVersionOrThrow(suite.database.db, 'tests', 'logged');
    // A context PostgreSQL refuses: the error that comes back carries the statement and its parameters.
    const secret = 'ann.secret@example.com';
    const failure = await insertTaskUnlessDuplicate(suite.database.db, {
      templateVersionId: templateVersion.id,
      namespace: 'tests',
      name: 'logged',
      version: '1.0.0',
      context: { user_info: { email: secret, note: 'bad\u0000text' } },
      correlationId: 'corr-logged',
      unfinishedSteps: 1,
      liveSteps: 1,
    }).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure)) + String((failure as Error).message)).toContain(secret);

    const { log, lines } = captureLogger();
    log.error({ err: failure }, 'request failed');
    log.child({ request_id: 'r1' }).warn({ error: failure }, 'under another key');
    log.error(failure as Error);
    await new Promise((resolve) => setImmediate(resolve));

    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('corr-logged');
      expect(line).not.toMatch(/"(params|parameters|args|detail|where|query)"/);
    }
    const logged = (JSON.parse(lines[0]!) as { err: { type: string; message: string; stack: string; cause?: { message: string; code?: string } } })
      .err;
    expect(logged.message).toMatch(/^Failed query: insert into "tasks"/);
    expect(logged.message).toContain('params: [left out of logs]');
    expect(logged.stack).toMatch(/^\w*Error: Failed query: insert into "tasks"[\s\S]*\n\s+at /);
    // PostgreSQL's own words and code survive: what failed, never the value it failed on.
    expect(logged.cause?.message).toMatch(/unicode|\\u0000|0x00|invalid/i);
    expect(logged.cause?.code).toMatch(/^22/);
    expect((JSON.parse(lines[1]!) as { error: { message: string } }).error.message).toMatch(/^Failed query/);
  });

  it('log other values under err as they are', () => {
    const { log, lines } = captureLogger();
    log.warn({ err: 'a plain string', count: 2 }, 'not an error');
    expect(JSON.parse(lines[0]!)).toMatchObject({ err: 'a plain string', count: 2, msg: 'not an error' });
  });
});
