import path from 'node:path';

/** Where global setup leaves the migrated databases that every test file clones. */
export const PGLITE_TEMPLATE_FILE = path.resolve(process.cwd(), '.test-data/pglite-template.tar');
export const POSTGRES_TEMPLATE_DATABASE = 'switchyard_test_template';

export function postgresUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
