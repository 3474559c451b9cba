// ESLint flat config: typescript-eslint recommended, plus the layering rules of ARCHITECTURE.md.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/** Node's built-in modules, with and without the node: prefix (the webview bundle has none of them). */
const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

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
    // The bottom layer runs in the extension host, the webview and the command line alike: it imports its own
    // files and valibot, nothing else (no Node, no DOM library, no vscode, no other layer).
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?![./])(?!valibot$)',
              message: 'src/shared imports only its own files and valibot: no Node, no vscode (see ARCHITECTURE.md).',
            },
            {
              regex: '^(\\.\\./)+(core|host|webview|cli|extension)(/|$)',
              message: 'src/shared is the bottom layer: it imports no other layer (see ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // The core is pure Node on top of src/shared: never the vscode API, never the layers above it.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core is pure Node: no vscode import (see ARCHITECTURE.md).' }],
          patterns: [
            {
              regex: '^(\\.\\./)+(host|webview|cli|extension)(/|$)',
              message: 'src/core imports only src/shared and Node (see ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // The host wraps the core for VS Code; the webview is another bundle it never imports.
    files: ['src/host/**/*.ts', 'src/extension.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(webview|cli)(/|$)',
              message: 'src/host imports src/core and src/shared, not the webview or the CLI (see ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // The send panel's bundle runs in the webview: src/shared and its own libraries only.
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['vscode', ...nodeBuiltins],
          patterns: [
            {
              regex: '^(\\.\\./)+(core|host|cli|extension)(/|$)',
              message: 'src/webview imports only src/shared and its own libraries (see ARCHITECTURE.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // The command line is Node only: never the vscode API, never the host or the webview.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/cli runs outside VS Code: no vscode import (see ARCHITECTURE.md).' }],
          patterns: [
            {
              regex: '^(\\.\\./)+(host|webview|extension)(/|$)',
              message: 'src/cli imports src/core and src/shared (see ARCHITECTURE.md).',
            },
          ],
        },
      ],
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
