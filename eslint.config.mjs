import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Pages and components link with components/shell/link.tsx, which does not prefetch unless asked. */
const NEXT_LINK_RESTRICTION = { name: 'next/link', message: "Use Link from components/shell/link.tsx (no prefetching unless asked: see there)." };
const CLIENT_ONLY = { group: ['**/db/*', '@/db/*', '**/lib/orchestrator/*', '@/lib/orchestrator/*', '**/lib/http/*', '@/lib/http/*', 'node:*'], message: 'Client code reaches the server only through /api/v1.' };
const CORE = ['lib/orchestrator/**', 'lib/handlers/**', 'lib/templates/**', 'lib/services/**', 'db/**'];

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', '.data/**', '.test-data/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'db/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      curly: 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // The core never knows about Next.js or React (STYLE.md §2).
    files: CORE,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['next', 'next/*', 'react', 'react-dom', '@/app/*', '@/components/*', '**/lib/http/*'], message: 'The core does not import Next.js, React, pages or lib/http.' }] }],
    },
  },
  {
    // Components and client hooks use only client-safe modules.
    files: ['components/**', 'lib/api/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [CLIENT_ONLY],
          paths: [NEXT_LINK_RESTRICTION],
        },
      ],
    },
  },
  {
    files: ['app/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [NEXT_LINK_RESTRICTION] }] },
  },
  {
    files: ['components/shell/link.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CLIENT_ONLY] }] },
  },
);
