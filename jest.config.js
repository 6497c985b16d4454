/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: [
    "<rootDir>/subgraphs",
    "<rootDir>/router",
    "<rootDir>/schema",
    "<rootDir>/prisma",
    "<rootDir>/scripts",
    "<rootDir>/test",
    "<rootDir>/storefront/src",
    "<rootDir>/bench",
  ],
  testMatch: ["**/__tests__/**/*.test.ts", "<rootDir>/test/**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  // Sources import their siblings with .js (node16 resolution); jest resolves the .ts beside them.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  globalSetup: "<rootDir>/test/support/globalSetup.ts",
  globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
  // Known-slow suites first, also on a clean clone, where jest has no durations of its own.
  testSequencer: "<rootDir>/test/support/slowFirstSequencer.js",
  testTimeout: 60_000,
  maxWorkers: 2,
};
