// The wasm CPU backend (DESIGN.md §4): AssemblyScript SIMD kernels on one shared
// WebAssembly.Memory, a worker pool on the same memory, a free-list heap for persistent
// tensors and a per-step arena for the rest. createWasmBackend() is async (compile, start
// workers); after it resolves, everything is synchronous. docs/wasm-backend.md has the design.

import { availableParallelism } from 'node:os';
import type { Backend, DataId, DType, KernelAttrs, KernelName, Lifetime, TensorInfo, Values } from '../backend.js';
import { KERNEL_EXPORTS, KernelContext, type Exports, type Storage } from './context.js';
import { KERNELS, type KernelImpl } from './kernels/index.js';
import { loadKernelModule, MAX_PAGES, type KernelChoice, type LoadedModule } from './loader.js';
import { Arena, Heap, alignUp } from './memory.js';
import { controlBytes, ThreadPool } from './threads.js';
import { PAGE_BYTES, WA, type WasmMemory } from './webassembly.js';

export interface WasmBackendOptions {
  /** Threads in all, the calling one included. Default: min(4, available cores). */
  readonly threads?: number;
  /** The most memory the backend may grow to. Default and ceiling: 4 GiB (wasm32). */
  readonly maxMemoryBytes?: number;
  /** A kernel module file; by default one that scripts/build-wasm.mjs built into dist/wasm/. */
  readonly wasmPath?: string;
  /**
   * Which build of dist/wasm/ to run (loader.ts): `fma` (fused multiply-add, relaxed SIMD),
   * `baseline` (SIMD128 only), or `auto`, `fma` where the runtime supports it. Default: the
   * NETWRIGHT_WASM_BUILD environment variable, else `auto`.
   */
  readonly kernels?: KernelChoice;
  /** Microseconds a thread polls before sleeping on a futex (see threads.ts). Default 300. */
  readonly spinMicros?: number;
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const loaded = await loadKernelModule(options.wasmPath, options.kernels);
  const { module } = loaded;
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
  const maxPages = Math.min(MAX_PAGES, Math.floor((options.maxMemoryBytes ?? MAX_PAGES * PAGE_BYTES) / PAGE_BYTES));
  // Enough for the static data, the control block and per-thread GEMM scratch, plus 4 MiB.
  const initialPages = Math.min(maxPages, 64 + threads * 16);
  const memory = new WA.Memory({ initial: initialPages, maximum: maxPages, shared: true });
  const instance = new WA.Instance(module, { env: { memory } });
  const ex = instance.exports as unknown as Exports;
  for (const name of KERNEL_EXPORTS) if (typeof ex[name] !== 'function') throw new Error(`wasm backend: the kernel module lacks ${name}; rebuild it`);
  const grow = (minBytes: number): number => {
    const have = memory.buffer.byteLength / PAGE_BYTES;
    const need = Math.ceil(minBytes / PAGE_BYTES);
    // Grow by what is needed plus 1/8 headroom, so a sequence of allocations grows rarely.
    const pages = Math.min(Math.max(need, Math.ceil(have / 8)), maxPages - have);
    if (pages < need) throw new RangeError(`wasm backend: out of memory (needs ${minBytes} more bytes; limit ${maxPages * PAGE_BYTES} bytes)`);
    memory.grow(pages);
    return memory.buffer.byteLength;
  };
  const heap = new Heap(ex.heapBase(), memory.buffer.byteLength, grow);
  const ctl = heap.alloc(controlBytes(threads));
  new Uint8Array(memory.buffer, ctl, controlBytes(threads)).fill(0);
  const params = heap.alloc(256);
  const scratch = Array.from({ length: threads }, () => heap.alloc(ex.gemmScratchBytes()));
  const names = Object.keys(instance.exports).filter((k) => typeof instance.exports[k] === 'function');
  const pool = await ThreadPool.create(module, memory, ctl, names, { threads, spinMicros: options.spinMicros });
  return new WasmBackend(memory, ex, heap, pool, scratch, params, loaded.build);
}

export class WasmBackend implements Backend {
  readonly name = 'wasm' as const;
  private readonly records = new Map<number, Storage>();
  private stepIds: number[] = [];
  private nextId = 1;
  private readonly arena: Arena;
  private readonly ctx: KernelContext;
  private disposed = false;

  /** Use createWasmBackend(). */
  constructor(
    private readonly memory: WasmMemory,
    ex: Exports,
    private readonly heap: Heap,
    private readonly pool: ThreadPool,
    gemmScratch: readonly number[],
    params: number,
    /** Which build of the kernel module runs: `fma`, `baseline`, or `custom` (a file given by path). */
    readonly kernels: LoadedModule['build'],
  ) {
    this.arena = new Arena(heap);
    this.ctx = new KernelContext(memory, ex, pool, heap, (t) => this.record(t.id), gemmScratch, params);
  }

  /** Whether the kernels' multiply-adds fuse: the fma build on a CPU with FMA (assembly/fma.ts). */
  get fusedMultiplyAdd(): boolean {
    return this.ctx.fma;
  }

  /** Threads in use, the calling one included. */
  get threads(): number {
    return this.pool.size;
  }

  alloc(dtype: DType, size: number, lifetime: Lifetime): DataId {
    this.check();
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`wasm backend: cannot allocate ${size} elements`);
    if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`wasm backend: unsupported dtype ${String(dtype)}`);
    const bytes = alignUp(Math.max(size * 4, 16));
    const ptr = lifetime === 'step' ? this.arena.alloc(bytes) : this.heap.alloc(bytes);
    const id = this.nextId++;
    this.records.set(id, { ptr, size, dtype, lifetime });
    if (lifetime === 'step') this.stepIds.push(id);
    return id as DataId;
  }

  free(id: DataId): void {
    this.ctx.settle(id);
    const r = this.record(id);
    if (r.lifetime === 'step') throw new Error(`wasm backend: free(#${id}): step storage is reclaimed by endStep(), not freed one by one`);
    this.heap.free(r.ptr);
    this.records.delete(id);
  }

  write(id: DataId, values: ArrayLike<number>): void {
    this.ctx.settle(id);
    const r = this.record(id);
    if (values.length !== r.size) throw new RangeError(`wasm backend: writing ${values.length} values into ${r.size} elements`);
    const view = r.dtype === 'int32' ? this.ctx.i32 : this.ctx.f32;
    view.set(values, r.ptr >>> 2);
  }

  read(id: DataId): Promise<Values> {
    try {
      return Promise.resolve(this.readSync(id));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  readSync(id: DataId): Values {
    this.ctx.settle(id);
    const r = this.record(id);
    const view = r.dtype === 'int32' ? this.ctx.i32 : this.ctx.f32;
    // slice() copies into a fresh, unshared buffer: values leave wasm memory as copies.
    return view.slice(r.ptr >>> 2, (r.ptr >>> 2) + r.size);
  }

  run<K extends KernelName>(kernel: K, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs[K]): void {
    this.check();
    const impl = KERNELS[kernel] as KernelImpl<K> | undefined;
    if (!impl) throw new Error(`wasm backend: unknown kernel ${String(kernel)}`);
    impl(this.ctx, inputs, outputs, attrs);
  }

  /**
   * C = A·B (M×K times K×N) with version 1 of the GEMM, the naive SIMD loop of
   * assembly/gemm.ts, on this thread: the baseline bench/gemm.bench.ts measures sgemm against.
   * Not part of the Backend interface.
   */
  naiveSgemm(M: number, N: number, K: number, a: DataId, b: DataId, c: DataId): void {
    for (const id of [a, b, c]) this.ctx.settle(id);
    const [ra, rb, rc] = [this.record(a), this.record(b), this.record(c)];
    if (ra.size !== M * K || rb.size !== K * N || rc.size !== M * N) throw new RangeError('wasm backend: naiveSgemm sizes do not match');
    this.ctx.ex.sgemmV1(M, N, K, ra.ptr, rb.ptr, rc.ptr);
  }

  endStep(): void {
    this.ctx.dropDeferred();
    for (const id of this.stepIds) this.records.delete(id);
    this.stepIds = [];
    this.arena.reset();
  }

  /** For tests: kernels whose output is not computed yet (a max pool's gradient: kernels/Pool.ts). */
  deferredKernels(): number {
    return this.ctx.deferredCount;
  }

  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool.dispose();
    this.records.clear();
    this.stepIds = [];
  }

  private record(id: DataId | number): Storage {
    const r = this.records.get(id);
    if (!r) throw new Error(`wasm backend: tensor ${id} does not exist (freed, or step storage after endStep())`);
    return r;
  }

  private check(): void {
    if (this.disposed) throw new Error('wasm backend: used after dispose()');
  }
}
