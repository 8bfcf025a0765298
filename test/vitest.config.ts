import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn the real CLI; two cores run them two at a time.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The JSON report lets .ci/run print the closing « N passed, N failed » line.
    reporters: ['default', 'json'],
    outputFile: { json: 'node_modules/.cache/recouvre/vitest-report.json' },
  },
});
