// Tests are written in TypeScript under __tests__/ and compiled by `tsc` into lib/__tests__/
// (see `npm test`), so jest runs plain ESM JavaScript: no transform, real modules.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/lib/__tests__'],
  testMatch: ['**/*.test.js'],
  transform: {},
  testTimeout: 120000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/scripts/summary-reporter.cjs'],
};
