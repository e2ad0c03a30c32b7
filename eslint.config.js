// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'tasks/**/dist/**', 'coverage/**', 'node_modules/**', 'scratch/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The core runs under every front door (the Action, the Azure DevOps task, the CLI): no runner
    // library may reach it. azure-pipelines-task-lib even empties INPUT_* variables when imported.
    files: ['src/core/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@actions/*',
                '@octokit/*',
                'azure-pipelines-task-lib',
                'azure-pipelines-task-lib/*',
              ],
              message:
                'src/core/ must stay runner-neutral: put GitHub Actions and Azure Pipelines code in src/platform/ and pass what the core needs through its interfaces.',
            },
          ],
        },
      ],
      // no-restricted-imports does not see import(): the same ban for dynamic imports.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'ImportExpression[source.value=/^(@actions\\/|@octokit\\/|azure-pipelines-task-lib($|\\/))/]',
          message:
            'src/core/ must stay runner-neutral: put GitHub Actions and Azure Pipelines code in src/platform/.',
        },
      ],
    },
  },
  {
    // Small modules with one job: a core file over 400 lines or a function over 80 is a sign that
    // two jobs share it. Data tables (the diagnosis catalog) are exempt.
    files: ['src/core/**'],
    ignores: ['src/core/diagnose/catalog.ts'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80 }],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
