// ESLint (flat config): typescript-eslint's recommended rules, no import cycles, the layer rule of
// HOUSE_STYLE.md, and Prettier owning formatting (`npm run lint` also runs prettier --check and dpdm,
// which counts type-only imports in cycles too).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Parse imported .ts files too, or cycles through them go unseen.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'import-x/no-cycle': ['error', { maxDepth: Infinity, ignoreExternal: true }],
      'import-x/no-self-import': 'error',
    },
  },
  {
    // The layer rule: generic code knows nothing of the domain modules.
    files: ['src/db/**/*.ts', 'src/graphql/**/*.ts', 'src/realtime/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(modules|app|demo)(/|$)|(^|/)main$',
              message:
                'src/db, src/graphql and src/realtime import nothing from src/modules, nor from the composition root that imports them (HOUSE_STYLE.md, layout).',
            },
          ],
        },
      ],
    },
  },
  {
    // The benchmark still reads untyped JSON responses. The test files type theirs: typed documents
    // (`typed<Result>()`, test/helpers/documents.ts) give `t.gql`, `collect` and the files' own helpers
    // typed results, as comments.test.ts shows.
    files: ['bench/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { module: 'readonly', require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
  },
  prettier,
);
