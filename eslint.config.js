// Type-checked lint rules, and the layer map: each layer imports only the layers below it
// (CONTRIBUTING.md explains the map).
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/** Lowest first; each may import itself and anything listed before it (see `below`). */
const LAYERS = [
  ['core', 'src/core'],
  ['rpc', 'src/rpc'],
  ['media', 'src/media'],
  ['speech', 'src/speech'],
  ['models', 'src/models'],
  ['tools', 'src/tools'],
  ['agent', 'src/agent'],
  ['runtime', 'src/runtime'],
  ['workspace', 'src/workspace'],
  ['ui', 'src/ui'],
  ['offline', 'src/offline'],
];
const below = (name) => LAYERS.slice(0, LAYERS.findIndex(([layer]) => layer === name) + 1).map(([layer]) => layer);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'test-results/**', 'public/**', 'examples/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Unused arguments named with a leading underscore are part of an interface being implemented.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Test doubles implement async interfaces without awaiting anything, and vitest's asymmetric
    // matchers (expect.any, expect.stringContaining) are typed any.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off', '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts'] } },
      'boundaries/include': ['src/**/*', 'workers/**/*'],
      'boundaries/elements': [
        ...LAYERS.map(([type, pattern]) => ({ type, pattern })),
        { type: 'workers', pattern: 'workers' },
        // Last, so it only takes the files directly in src/ (app.ts, sage-agent.ts).
        { type: 'entry', pattern: 'src' },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            ...LAYERS.map(([layer]) => ({
              from: { element: { type: layer } },
              allow: { to: { element: { types: { anyOf: below(layer) } } } },
            })),
            // A worker runs one engine: it may use everything up to the models, never tools, agent or UI.
            { from: { element: { type: 'workers' } }, allow: { to: { element: { types: { anyOf: [...below('models'), 'workers'] } } } } },
            { from: { element: { type: 'entry' } }, allow: { to: { element: { types: { anyOf: ['entry', 'ui', 'offline', 'core'] } } } } },
            // Workers are started by URL, which is not an import.
          ],
        },
      ],
    },
  },
);
