import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Pages and components link with components/shell/link.tsx, which does not prefetch unless asked. */
const NEXT_LINK_RESTRICTION = { name: 'next/link', message: 'Use Link from components/shell/link.tsx (no prefetching unless asked: see there).' };
const SERVER_FOLDERS = ['db', 'lib/engine', 'lib/actions', 'lib/reads', 'lib/runtime', 'lib/demo', 'lib/http', 'lib/auth', 'lib/testing'];
const CLIENT_ONLY = {
  group: [...SERVER_FOLDERS.flatMap((folder) => [`**/${folder}/*`, `@/${folder}/*`]), 'node:*'],
  message: 'Client code reaches the server only through /api/v1.',
};
const NO_WEB = {
  group: ['next', 'next/*', 'react', 'react-dom', '@/app/*', '@/components/*', '**/lib/http/*', '@/lib/http/*'],
  message: 'The core does not import Next.js, React, pages or lib/http.',
};
const NO_TEST_HELPERS = {
  group: ['**/testing/*', '@/lib/testing/*', '**/db/testing', '**/db/test-*', '@/db/testing', '@/db/test-*'],
  message: 'Production code never imports a test helper.',
};
const NO_ACTIONS = {
  group: ['**/actions/*', '@/lib/actions/*', '**/engine/*', '@/lib/engine/*'],
  message: 'Reads never import actions or the engine: a read changes nothing.',
};
const NO_LIB = { group: ['**/lib/*', '**/lib/**', '@/*'], message: 'db/ imports only drizzle-orm, postgres, PGlite and itself.' };
const CORE = [
  'lib/engine/**',
  'lib/actions/**',
  'lib/runtime/**',
  'lib/demo/**',
  'lib/handlers/**',
  'lib/templates/**',
  'lib/services/**',
  'lib/auth/**',
];
const TESTS = ['**/*.test.ts', '**/*.test.tsx', 'lib/testing/**', 'db/testing.ts', 'db/test-*.ts', 'e2e/**', 'bench/**', 'scripts/**/*.test.ts'];
/** One no-restricted-imports rule per group of files: ESLint replaces a rule set twice, it does not merge it. */
const restrict = (patterns, paths = []) => ({ 'no-restricted-imports': ['error', { patterns, paths }] });

export default tseslint.config(
  {
    ignores: [
      '.next/**',
      'node_modules/**',
      '.data/**',
      '.test-data/**',
      'test-results/**',
      'playwright-report/**',
      'next-env.d.ts',
      'db/migrations/**',
    ],
  },
  js.configs.recommended,
  // Type-checked rules (STYLE.md §12): the type information catches what syntax alone cannot.
  ...tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  { files: ['**/*.mjs', '**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  {
    // Vitest's asymmetric matchers (expect.any, expect.stringContaining …) are typed `any` by design.
    files: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off', '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      curly: 'error',
      // A route handler or step handler is async by contract (it returns a promise) even when it awaits nothing.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // The core never knows about Next.js or React (STYLE.md §2), and production never imports a test helper.
  { files: CORE, ignores: TESTS, rules: restrict([NO_WEB, NO_TEST_HELPERS]) },
  { files: ['lib/reads/**'], ignores: TESTS, rules: restrict([NO_WEB, NO_TEST_HELPERS, NO_ACTIONS]) },
  { files: ['db/**'], ignores: TESTS, rules: restrict([NO_LIB, NO_TEST_HELPERS]) },
  {
    files: ['lib/http/**', 'lib/metrics/**', 'lib/*.ts', 'proxy.ts', 'instrumentation.ts', 'scripts/**'],
    ignores: TESTS,
    rules: restrict([NO_TEST_HELPERS]),
  },
  {
    // Components and client hooks use only client-safe modules.
    files: ['components/**', 'lib/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [CLIENT_ONLY, NO_TEST_HELPERS],
          paths: [NEXT_LINK_RESTRICTION],
        },
      ],
    },
  },
  { files: ['app/**'], rules: restrict([NO_TEST_HELPERS], [NEXT_LINK_RESTRICTION]) },
  {
    files: ['components/shell/link.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CLIENT_ONLY] }] },
  },
);
