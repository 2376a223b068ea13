import path from 'node:path';

/**
 * Where global setup leaves the migrated databases that every test file clones. Each test run has
 * its own (global setup sets SWITCHYARD_TEST_RUN before the test workers start), so that two runs
 * on one machine never share or overwrite a template.
 */
function testRun(): string {
  return process.env.SWITCHYARD_TEST_RUN ?? 'default';
}

export function pgliteTemplateFile(): string {
  return path.resolve(process.cwd(), `.test-data/pglite-template-${testRun()}.tar`);
}

export function postgresTemplateDatabase(): string {
  return `switchyard_test_template_${testRun()}`;
}

export function postgresUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
