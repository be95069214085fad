// ESLint 9 flat config for the whole repository (`npm run lint` = `eslint .`).
// typescript-eslint's non-type-checked `recommended` keeps a lint run fast: type errors are
// `npm run typecheck`'s job, so no rule here needs the type checker.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/build/',
      '**/dist/',
      '**/.sapa/',
      '**/.cache/',
      'dashboard/build/',
      'coverage/',
      'test-results/',
    ],
  },

  js.configs.recommended,
  // Also switches off core rules TypeScript already enforces (no-undef, no-redeclare, …) for TS files.
  ...tseslint.configs.recommended,

  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names mark what is unused on purpose (a handler's unused argument, a rest sibling).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },

  // Plain JavaScript (scripts/*.mjs, this file) is checked by ESLint alone, so it needs the globals.
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },

  // Server-side TypeScript: Node processes and tests.
  {
    files: [
      'shared/**/*.ts',
      'channels/**/*.ts',
      'gateway/**/*.ts',
      'workflows/**/*.ts',
      'testkit/**/*.ts',
      'tests/**/*.ts',
      'bench/**/*.ts',
      'eval/**/*.ts',
      'scripts/**/*.ts',
      '*.ts',
      'channels/src/web/widget/build.ts', // the esbuild script that bundles the widget
    ],
    ignores: ['channels/src/web/widget/**/!(build).ts'],
    languageOptions: { globals: { ...globals.node } },
  },

  // The dashboard renders on the server and in the browser; the widget runs only in visitors' browsers.
  {
    files: ['dashboard/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
  {
    files: ['channels/src/web/widget/**/*.{ts,tsx}'],
    ignores: ['channels/src/web/widget/build.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // React hooks rules where React (or hook-style code) lives.
  {
    files: ['dashboard/app/**/*.{ts,tsx}', 'channels/src/web/widget/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
);
