// ESLint flat config: typescript-eslint recommended, plus the layering rules of DESIGN.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', 'test-artifacts/**', 'bench-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Errors are built from templates so that the host can translate them (scripts/l10n.mjs collects them).
    files: ['src/**/*.ts'],
    ignores: ['src/shared/errors.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='SocketLabError']",
          message:
            "Build errors with SocketLabError.create(code, 'sentence with {placeholders}', values): a template string literal that scripts/l10n.mjs collects and the host translates.",
        },
      ],
    },
  },
  {
    // The core is pure Node: it must never import the vscode API.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'src/core is pure Node: no vscode import (see DESIGN.md).' }] },
      ],
    },
  },
  {
    // The command line runs on plain Node, outside VS Code.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'src/cli runs on plain Node: no vscode import (see DESIGN.md).' }] },
      ],
    },
  },
  {
    // The shared protocol runs in the webview too: no vscode, no Node built-ins.
    files: ['src/shared/**/*.ts', 'src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['vscode', 'net', 'dgram', 'fs', 'os', 'path', 'child_process'] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
