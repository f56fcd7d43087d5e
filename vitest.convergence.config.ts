// The convergence tier: real training runs on real data with fixed seeds (MNIST, Fashion-MNIST
// lessons reaching their accuracy goals). Slow, so kept out of `test:unit`; `npm test` and CI
// still run it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.convergence.test.ts'],
    environment: 'node',
  },
});
