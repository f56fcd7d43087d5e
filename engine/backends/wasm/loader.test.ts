// Which build of the kernel module runs (loader.ts): `auto` takes the fused multiply-add build
// where the runtime has relaxed SIMD, either build can be asked for, and on a CPU with FMA the
// fma build's products really are fused (other bits than the baseline's, within rounding).

import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Random } from '../../core/random.js';
import { createWasmBackend, type WasmBackend } from './index.js';
import { relaxedSimdSupported } from './loader.js';

/** x86-64 with FMA3, or arm64 (whose vector multiply-add is always fused). */
function cpuHasFma(): boolean {
  if (arch() === 'arm64') return true;
  try {
    return / fma( |$)/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

function product(backend: WasmBackend, a: Float32Array, b: Float32Array, n: number): Float32Array {
  const [x, y, z] = [backend.alloc('float32', n * n, 'step'), backend.alloc('float32', n * n, 'step'), backend.alloc('float32', n * n, 'step')];
  backend.write(x, a);
  backend.write(y, b);
  const info = (id: typeof x) => ({ id, shape: [n, n], dtype: 'float32' as const });
  backend.run('MatMul', [info(x), info(y)], [info(z)], { transA: false, transB: false });
  const out = backend.readSync(z) as Float32Array;
  backend.endStep();
  return out;
}

describe('wasm kernel builds', () => {
  const opened: WasmBackend[] = [];
  const open = async (options: Parameters<typeof createWasmBackend>[0]): Promise<WasmBackend> => {
    const backend = await createWasmBackend(options);
    opened.push(backend);
    return backend;
  };
  afterEach(() => {
    for (const b of opened.splice(0)) b.dispose();
    delete process.env['NETWRIGHT_WASM_BUILD'];
  });

  it('auto runs the fma build where relaxed SIMD is supported (Node 20 through V8 flag), else the baseline', async () => {
    const backend = await open({ threads: 1 });
    expect(backend.kernels).toBe(relaxedSimdSupported() ? 'fma' : 'baseline');
  });

  it('NETWRIGHT_WASM_BUILD or the kernels option picks a build; an unknown name is an error naming it', async () => {
    process.env['NETWRIGHT_WASM_BUILD'] = 'baseline';
    expect((await open({ threads: 1 })).kernels).toBe('baseline');
    process.env['NETWRIGHT_WASM_BUILD'] = 'avx512';
    await expect(createWasmBackend({ threads: 1 })).rejects.toThrow(/unknown kernel build "avx512".*auto, fma or baseline/);
    await expect(createWasmBackend({ threads: 1, kernels: 'sse' as never })).rejects.toThrow(/unknown kernel build "sse"/);
  });

  it.runIf(relaxedSimdSupported())('the fma build fuses: a product within rounding of the baseline, not the same bits (on a CPU with FMA)', async () => {
    const [fma, baseline] = [await open({ threads: 1, kernels: 'fma' }), await open({ threads: 1, kernels: 'baseline' })];
    expect([fma.kernels, baseline.kernels]).toEqual(['fma', 'baseline']);
    // The module's own probe (which tunes the sparse kernels' thresholds) agrees with the CPU.
    expect([fma.fusedMultiplyAdd, baseline.fusedMultiplyAdd]).toEqual([cpuHasFma(), false]);
    const n = 96;
    const rng = new Random(7);
    const a = Float32Array.from({ length: n * n }, () => rng.normal());
    const b = Float32Array.from({ length: n * n }, () => rng.normal());
    const [p, q] = [product(fma, a, b, n), product(baseline, a, b, n)];
    let worst = 0;
    let differ = 0;
    for (let i = 0; i < p.length; i++) {
      worst = Math.max(worst, Math.abs(p[i]! - q[i]!) / Math.max(1, Math.abs(q[i]!)));
      if (!Object.is(p[i], q[i])) differ++;
    }
    expect(worst).toBeLessThan(1e-5);
    if (cpuHasFma()) expect(differ).toBeGreaterThan(p.length / 10);
    else expect(differ).toBe(0);
  });
});
