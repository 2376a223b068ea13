/**
 * The finished tasks that scripts/seed-e2e-data.ts writes into the e2e database before the server
 * starts (playwright.config.ts): 30 days of history of the e2e_dashboard/many_tasks template, up to the
 * moment of seeding (a thirtieth of them in the last 24 hours), for the task list and the overview at
 * scale. Other specs filter by their own templates and names, so these stay out of their way.
 */
export const SEEDED_TASKS = {
  namespace: 'e2e_dashboard',
  name: 'many_tasks',
  /** In every seeded context as item.batch: `q=<batch>` lists exactly these. */
  batch: 'seeded-history',
  count: 100_000,
  /** Every 100th seeded task is cancelled; the rest are complete. */
  cancelledEvery: 100,
  /** The n-th task's e-mail (the template's identity field) is `${emailPrefix}${n}${emailDomain}`. */
  emailPrefix: 'seeded-',
  emailDomain: '@example.com',
} as const;

/** The e-mail of the n-th seeded task, 1 ≤ n ≤ count. */
export function seededEmail(n: number): string {
  return `${SEEDED_TASKS.emailPrefix}${n}${SEEDED_TASKS.emailDomain}`;
}

/** Written by the seed next to the database it seeded (DATA_DIR). */
export const SEED_REPORT_FILE = 'seed-report.json';

/** Tasks and transitions in the database after seeding; the seed's own time, and with initdb and migrations. */
export type SeedReport = { tasks: number; transitions: number; seedSeconds: number; totalSeconds: number };
