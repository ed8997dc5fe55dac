// ESLint flat config for the whole repo: TypeScript everywhere, Vue SFCs in
// the renderer, plain ESM scripts in bin/ and scripts/.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The engine's public entries are src/engine/index.ts and, for processes that
// must not load tfjs, src/engine/light.ts: front ends never reach past them.
const DEEP_ENGINE_IMPORT = {
  regex: '^(\\.\\./)+engine/(?!(index|light)$)',
  message: 'Import the engine through its public entry: engine (index.ts), or engine/light without tfjs.',
};

export default defineConfig(
  globalIgnores([
    'out/**',
    'dist/**',
    'node_modules/**',
    'resources/**',
    'runs/**',
    'coverage/**',
    '.cache/**',
    '.scratch/**',
    'tests/e2e/screenshots/**',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,
  pluginVue.configs['flat/essential'],

  // Node code: main, preload (runs with Node types, even if sandboxed), engine,
  // CLI, tests, scripts, config files.
  {
    files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
    ignores: ['src/renderer/**'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
  },

  // Renderer: browser globals, TypeScript inside .vue files.
  {
    files: ['src/cli/**/*.ts', 'src/server/**/*.ts', 'src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [DEEP_ENGINE_IMPORT] }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,vue}'],
    languageOptions: {
      globals: { ...globals.browser },
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.vue'],
        sourceType: 'module',
      },
    },
    rules: {
      // vue-tsc checks identifiers in .vue files; ESLint's no-undef does not
      // understand TypeScript types (same reason typescript-eslint turns it off for .ts).
      'no-undef': 'off',
    },
  },

  // House rules.
  {
    rules: {
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
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      // Single-word component names are fine for an app (App.vue).
      'vue/multi-word-component-names': 'off',
    },
  },
  // Layering, checked per folder (who may import whom):
  //   shared  <- everything; imports nothing of ours, and no Node API (the renderer uses it)
  //   engine  <- cli, studio; never electron or a front end
  //   studio  <- main, server; never electron (the host passes desktop abilities in)
  //   renderer: only @shared/* and itself (@renderer/* or relative)
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'src/shared runs in the renderer too: no Node APIs.' },
            {
              regex: '^(electron|sharp|@tensorflow/.*)$',
              message: 'src/shared is plain data and zod: no platform packages.',
            },
            {
              regex: '^(\\.\\./)+(engine|studio|cli|server|main|preload|renderer)(/|$)',
              message: 'src/shared imports nothing of the rest of src.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^electron(/.*)?$', message: 'The engine runs in plain Node: never import electron.' },
            {
              regex: '^(\\.\\./)+(studio|cli|server|main|preload|renderer)(/|$)',
              message: 'The engine is the bottom layer: it never imports studio, cli, server, main or renderer.',
            },
            { regex: '^@renderer/', message: 'The engine never imports the renderer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/studio/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^electron(/.*)?$',
              message:
                'src/studio is shared by Electron and `gan-studio serve`: desktop abilities come in through StudioHost.',
            },
            {
              regex: '^(\\.\\./)+(cli|server|main|preload|renderer)(/|$)',
              message: 'src/studio builds on the engine and src/shared only.',
            },
            DEEP_ENGINE_IMPORT,
            { regex: '^@renderer/', message: 'src/studio never imports the renderer.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(electron(/.*)?|node:.*|zod|sharp|ws|@tensorflow/tfjs-node.*)$',
              message:
                'The renderer is a sandboxed web page: it reaches the backend only through the API (src/renderer/src/api).',
            },
            {
              regex: '^(\\.\\./)+(engine|studio|cli|server|main|preload)(/|$)',
              message: 'The renderer imports only @shared/* and its own files.',
            },
            { regex: '^\\.\\.(/\\.\\.)*/shared(/|$)|/src/shared(/|$)', message: 'Import src/shared as @shared/….' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    rules: {
      // Plain JS has no `import type`.
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
