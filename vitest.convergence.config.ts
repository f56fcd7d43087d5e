// The slow tier: real training runs on real data with fixed seeds (MNIST, Fashion-MNIST
// lessons reaching their accuracy goals; WebGPU training on SwiftShader matching wasm). Slow, so
// kept out of `test:unit`; `npm test` and CI still run it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.convergence.test.ts', 'engine/**/*.slow.test.ts'],
    environment: 'node',
  },
});
