// Lint: typescript-eslint's recommended rules, plus the layering rule that keeps the core entry
// browser-safe (no Node built-ins outside packages/softmax/src/node).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'report/**', 'packages/softmax/assembly/**', 'packages/softmax/src/kernels/wasm/generated/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/softmax/src/**/*.ts'],
    ignores: ['packages/softmax/src/node/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'url', 'crypto'], message: 'The core entry must run in browsers: Node built-ins belong in src/node.' }] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', performance: 'readonly' } },
  },
);
