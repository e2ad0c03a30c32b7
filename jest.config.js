// Tests run as native ES modules (the product is ESM-only, like @actions/core 3); @swc/jest strips
// types without type-checking, which `npm run typecheck` does separately.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testTimeout: 30000,
  // End-to-end suites mostly wait on simulated operations, not on the CPU: run four at a time.
  maxWorkers: 4,
};
