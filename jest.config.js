/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'], // unit specs beside the code, integration tests in test/
  // decorators' design:* metadata is silently dropped if reflect-metadata isn't loaded first
  setupFiles: ['reflect-metadata'],
  // Every server, process and client the test helpers start is disposed after the test or the file (test/helpers/leftovers.ts).
  setupFilesAfterEnv: ['<rootDir>/test/helpers/setup.ts'],
  transform: {
    // isolatedModules: ts-jest transpiles only; type errors are caught by `npm run typecheck`
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  testTimeout: 30000,
};
