// Unit tests: engine (Node), renderer logic, the Electron app's pure modules and the bench's
// summaries and peer protocol, all in Node; the UI itself is covered by the Playwright specs in
// e2e/, which Vitest must not pick up.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'renderer/**/*.test.ts', 'app/**/*.test.ts', 'tools/**/*.test.ts', 'bench/**/*.test.ts'],
    // The slow convergence tier runs on its own: npm run test:convergence.
    exclude: ['**/node_modules/**', 'e2e/**', 'out/**', 'dist/**', '**/*.convergence.test.ts', '**/*.slow.test.ts'],
    environment: 'node',
    // Several tests train for real (the float64 reference backend in plain JavaScript, CLI and
    // engine child processes): 3–6 s each on a 2-core Ice Lake CI box with the other files
    // running beside them, past Vitest's 5 s default. Tests that need longer say so themselves.
    testTimeout: 30_000,
  },
});
