// Lint: ESLint's and typescript-eslint's recommended rules, React hooks hygiene, and the
// project's layering rule (tools/eslint/layering.js), which enforces DESIGN.md §2.

import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import layering from './tools/eslint/layering.js';

/** Browser globals the engine must never touch (it runs in Node, the CLI and a utility process). */
const DOM_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'HTMLElement', 'HTMLCanvasElement', 'location'].map(
  (name) => ({ name, message: 'The engine never touches the DOM (DESIGN.md §1); pass data through the protocol instead.' }),
);

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'test-results/', 'playwright-report/', '**/*.d.ts',
      // AssemblyScript: another language (== is value equality, i32/f32/v128 types); asc checks it.
      'engine/backends/wasm/assembly/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    plugins: { netwright: layering },
    rules: {
      'netwright/layering': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['engine/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', ...DOM_GLOBALS] },
  },
  {
    files: ['engine/protocol/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-globals': [
        'error',
        ...DOM_GLOBALS,
        ...['process', 'Buffer', 'require', '__dirname', '__filename', 'global'].map((name) => ({
          name,
          message: 'engine/protocol is shared with the renderer and must not use Node globals.',
        })),
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
