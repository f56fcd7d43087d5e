// The heap and arena on their own (no wasm), then the backend's memory behaviour: 10,000 steps
// must not grow memory after warm-up (DESIGN.md §4), and storage lifetimes are enforced.

import { describe, expect, it } from 'vitest';
import { ALIGN, Arena, Heap } from './memory.js';
import { createWasmBackend } from './index.js';

function heap(size = 1 << 16) {
  let end = size;
  const grows: number[] = [];
  const h = new Heap(0, end, (bytes) => {
    grows.push(bytes);
    end += Math.ceil(bytes / 4096) * 4096;
    return end;
  });
  return { h, grows, end: () => end };
}

describe('Heap', () => {
  it('aligns every block and never overlaps two live blocks', () => {
    const { h } = heap();
    const blocks = [10, 100, 1, 64, 65, 1000].map((n) => ({ at: h.alloc(n), n }));
    for (const b of blocks) expect(b.at % ALIGN).toBe(0);
    const sorted = [...blocks].sort((a, b) => a.at - b.at);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.at).toBeGreaterThanOrEqual(sorted[i - 1]!.at + sorted[i - 1]!.n);
  });

  it('reuses freed space (coalescing neighbours) before growing', () => {
    const { h, grows } = heap(4096);
    const a = h.alloc(1024);
    const b = h.alloc(1024);
    const c = h.alloc(1024);
    h.free(a);
    h.free(b);
    expect(h.alloc(2048)).toBe(a); // a and b coalesced
    h.free(c);
    expect(grows).toEqual([]);
    expect(h.usedBytes()).toBe(2048);
  });

  it('grows only by what the tail lacks, and rejects a double free', () => {
    const { h, grows } = heap(4096);
    h.alloc(3072);
    h.alloc(2048); // 1024 free at the tail: needs 1024 more
    expect(grows).toEqual([1024]);
    const x = h.alloc(64);
    h.free(x);
    expect(() => h.free(x)).toThrow(/not an allocated block/);
  });
});

describe('Arena', () => {
  it('settles into one chunk the size of the largest step, then stops touching the heap', () => {
    const { h, grows, end } = heap(1 << 12);
    const arena = new Arena(h, 1024);
    const step = (sizes: number[]) => {
      const ptrs = sizes.map((s) => arena.alloc(s));
      arena.reset();
      return ptrs;
    };
    step([900, 900, 900, 3000]);
    const size = end();
    const first = step([900, 900, 900, 3000]);
    for (let i = 0; i < 100; i++) expect(step([900, 900, 900, 3000])).toEqual(first);
    expect(end()).toBe(size);
    expect(grows.length).toBeGreaterThan(0);
    // A smaller step fits too; a bigger one overflows once, then settles again.
    step([100]);
    step([900, 900, 900, 3000, 5000]);
    const size2 = end();
    for (let i = 0; i < 10; i++) step([900, 900, 900, 3000, 5000]);
    expect(end()).toBe(size2);
  });
});

describe('wasm backend memory', () => {
  it('does not grow over 10,000 steps after warm-up', async () => {
    const backend = await createWasmBackend({ threads: 2 });
    try {
      const w = backend.alloc('float32', 64 * 32, 'persistent');
      backend.write(w, new Float32Array(64 * 32).fill(0.01));
      const info = (id: number, shape: number[]) => ({ id: id as never, shape, dtype: 'float32' as const });
      let level = 0;
      for (let s = 0; s < 10_000; s++) {
        // A forward and backward of one dense layer, as a trainer would allocate it.
        const x = backend.alloc('float32', 16 * 64, 'step');
        backend.write(x, new Float32Array(16 * 64).fill(s % 7));
        const y = backend.alloc('float32', 16 * 32, 'step');
        backend.run('MatMul', [info(x, [16, 64]), info(w, [64, 32])], [info(y, [16, 32])], { transA: false, transB: false });
        const r = backend.alloc('float32', 16 * 32, 'step');
        backend.run('Unary', [info(y, [16, 32])], [info(r, [16, 32])], { op: 'relu' });
        const dw = backend.alloc('float32', 64 * 32, 'step');
        backend.run('MatMul', [info(x, [16, 64]), info(r, [16, 32])], [info(dw, [64, 32])], { transA: true, transB: false });
        // Every 100th step is larger (a bigger evaluation batch): the arena must absorb it.
        if (s % 100 === 0) backend.alloc('float32', 100_000, 'step');
        backend.endStep();
        if (s === 200) level = backend.memoryBytes();
        if (s > 200) expect(backend.memoryBytes()).toBe(level);
      }
      expect(backend.memoryBytes()).toBe(level);
    } finally {
      backend.dispose();
    }
  });

  it('enforces lifetimes: step storage dies at endStep, persistent storage at free', async () => {
    const backend = await createWasmBackend({ threads: 1 });
    try {
      const step = backend.alloc('float32', 4, 'step');
      const kept = backend.alloc('int32', 3, 'persistent');
      backend.write(kept, [1, -2, 3]);
      expect(() => backend.free(step)).toThrow(/endStep/);
      backend.endStep();
      expect(() => backend.readSync(step)).toThrow(/does not exist/);
      const values = backend.readSync(kept);
      expect(values).toBeInstanceOf(Int32Array);
      expect(Array.from(values)).toEqual([1, -2, 3]);
      // Reads are copies: changing one does not touch the tensor.
      values[0] = 99;
      expect(Array.from(await backend.read(kept))).toEqual([1, -2, 3]);
      expect(() => backend.write(kept, [1, 2])).toThrow(/2 values into 3/);
      backend.free(kept);
      expect(() => backend.readSync(kept)).toThrow(/does not exist/);
      expect(backend.memoryBytes()).toBeGreaterThan(0);
    } finally {
      backend.dispose();
    }
    expect(() => backend.alloc('float32', 1, 'step')).toThrow(/after dispose/);
  });
});
