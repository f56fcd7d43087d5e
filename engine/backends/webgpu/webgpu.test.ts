// The shared op suite (engine/backends/testing/opSuite.ts) on the WebGPU backend, against the
// float64 reference. CI has no GPU but runs Dawn on SwiftShader (DESIGN.md §4): a missing
// adapter fails here unless NETWRIGHT_ALLOW_NO_GPU=1 says this machine may lack one.

import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../reference/reference.js';
import { defineOpSuite } from '../testing/opSuite.js';
import { createWebGpuBackend } from './index.js';

const allowNoGpu = process.env['NETWRIGHT_ALLOW_NO_GPU'] === '1';
const backend = await createWebGpuBackend();
backend?.dispose();

describe('webgpu adapter', () => {
  it.skipIf(allowNoGpu)('an adapter exists (set NETWRIGHT_ALLOW_NO_GPU=1 where none can)', () => {
    expect(backend, 'no WebGPU adapter: install chromium and libvulkan1 for SwiftShader, or set NETWRIGHT_ALLOW_NO_GPU=1').not.toBeNull();
  });
});

// Both MatMul kernels: the direct one (SwiftShader's default) and the tiled one (GPUs').
for (const matmul of backend === null ? [] : (['direct', 'tiled'] as const)) {
  defineOpSuite(
    `webgpu (${matmul} matmul)`,
    async () => {
      const b = await createWebGpuBackend({ matmul });
      if (b === null) throw new Error('webgpu: the adapter went away');
      return b;
    },
    {
      reference: () => new ReferenceBackend(),
      // float32 kernels with WGSL's transcendentals (exp/log within a few ulp): 1e-4 relative.
      forwardRtol: 1e-4,
      gradientRtol: 1e-4,
      finiteDifferences: false,
    },
  );
}
