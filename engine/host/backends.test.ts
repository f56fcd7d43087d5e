// Backend selection: each name gives its backend; webgpu without an adapter (simulated) falls
// back to the CPU backend with a bilingual notice.

import { describe, expect, it } from 'vitest';
import { createBackend, isBackendChoice, NO_ADAPTER_NOTICE } from './backends.js';

describe('createBackend', () => {
  it('cpu and wasm give the wasm backend, reference the reference, without a notice', async () => {
    for (const [name, expected] of [['cpu', 'wasm'], ['wasm', 'wasm'], ['reference', 'reference']] as const) {
      const { backend, notice } = await createBackend(name, { threads: 1 });
      expect(backend.name).toBe(expected);
      expect(notice).toBeUndefined();
      backend.dispose();
    }
  });

  it('webgpu without an adapter falls back to the CPU with a notice in English and Japanese', async () => {
    const { backend, notice } = await createBackend('webgpu', { threads: 1, createWebGpu: () => Promise.resolve(null) });
    expect(backend.name).toBe('wasm');
    expect(notice).toEqual(NO_ADAPTER_NOTICE);
    expect(notice!.en).toMatch(/CPU/);
    expect(notice!.ja).toMatch(/CPU バックエンド/);
    backend.dispose();
  });

  it('webgpu whose device fails to start falls back too, and says why', async () => {
    const { backend, notice } = await createBackend('webgpu', { threads: 1, createWebGpu: () => Promise.reject(new Error('device lost')) });
    expect(backend.name).toBe('wasm');
    expect(notice!.en).toContain('device lost');
    expect(notice!.ja).toContain('device lost');
    backend.dispose();
  });

  it.skipIf(process.env['NETWRIGHT_ALLOW_NO_GPU'] === '1')('webgpu gives the webgpu backend where an adapter exists (SwiftShader in CI)', async () => {
    const { backend, notice } = await createBackend('webgpu', { threads: 1 });
    expect(notice).toBeUndefined();
    expect(backend.name).toBe('webgpu');
    backend.dispose();
  });

  it('recognises the names', () => {
    expect(['cpu', 'wasm', 'webgpu', 'reference'].every(isBackendChoice)).toBe(true);
    expect(isBackendChoice('gpu')).toBe(false);
  });
});
