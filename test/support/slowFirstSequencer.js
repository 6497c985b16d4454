// @ts-check
const path = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

/**
 * Seconds of jest time of the suites known to be slow (measured in CI runs on the 2-core machine,
 * two workers), by path from the project root. With two workers a long suite that starts last
 * keeps one worker busy alone at the end of the run; jest avoids that by starting the suites
 * that took longest in its last run first, but a clean clone (CI) has no such record and jest
 * then goes by file size, which says little here (seed.test.ts, one of the smallest files, took
 * 142 s and started last). These estimates stand in for that record where it is missing.
 * Update them when a suite becomes much slower or faster; a wrong one only costs scheduling.
 */
const knownSeconds = {
  "test/integration/checkout/resilience.test.ts": 159,
  "test/browser/storefront.test.ts": 153,
  "test/integration/seed.test.ts": 60,
  "test/integration/payments/providers.test.ts": 104,
  "test/e2e/twoOfEverything.test.ts": 100,
  "test/integration/checkout/variants.test.ts": 96,
};

/**
 * A suite that failed in jest's last run first (as jest does); then the suites whose duration is
 * known (jest's record of its last run, else the estimate above), longest first; then the others,
 * largest file first (as jest does). Jest's own order puts suites it has no record of first,
 * which on a clean clone would start the known-slow suites last.
 */
class SlowFirstSequencer extends Sequencer {
  /** @param {Array<import("@jest/test-result").Test>} tests */
  sort(tests) {
    /** @param {import("@jest/test-result").Test} test */
    const estimate = (test) => {
      const relative = path.relative(test.context.config.rootDir, test.path).split(path.sep).join("/");
      const seconds = /** @type {Record<string, number>} */ (knownSeconds)[relative];
      return seconds === undefined ? undefined : seconds * 1000;
    };
    /** @param {import("@jest/test-result").Test} test */
    const sizeOf = (test) => test.context.hasteFS.getSize(test.path) ?? 0;
    const keyed = tests.map((test) => {
      test.duration = this.time(test) ?? estimate(test);
      return { test, failed: this.hasFailed(test), duration: test.duration, size: sizeOf(test) };
    });
    keyed.sort((a, b) => {
      if (a.failed !== b.failed) return a.failed ? -1 : 1;
      if ((a.duration === undefined) !== (b.duration === undefined)) return a.duration === undefined ? 1 : -1;
      if (a.duration !== undefined && b.duration !== undefined) return b.duration - a.duration;
      return b.size - a.size;
    });
    return keyed.map((each) => each.test);
  }
}

module.exports = SlowFirstSequencer;
