// Unit tests: engine (Node) and renderer logic, all in Node; the UI itself is covered by the
// Playwright specs in e2e/, which Vitest must not pick up.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'renderer/**/*.test.ts', 'tools/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'e2e/**', 'out/**', 'dist/**'],
    environment: 'node',
  },
});
