// What a host-side kernel (kernels/*.ts) sees of the wasm backend: the exports, tensor
// pointers, views of memory, per-thread GEMM scratch, a reusable workspace and the thread pool
// with its partitioning rule. Kernels never allocate tensors here; the workspace is a single
// persistent block that only grows when a larger request arrives.

import type { DType, Lifetime, TensorInfo } from '../backend.js';
import type { Heap } from './memory.js';
import { splitRange } from './shapes.js';
import type { ThreadPool, ThreadScratch } from './threads.js';
import type { WasmMemory } from './webassembly.js';

export type KernelFn = (...args: number[]) => void;

/** The kernel module's exports (see assembly/index.ts). */
export const KERNEL_EXPORTS = [
  'sgemm', 'sgemmV1', 'gemmScratchBytes', 'fill32', 'copyBytes', 'castF32I32', 'castI32F32', 'unary', 'binary4',
  'adamUpdate', 'softmaxCrossEntropy', 'softmaxCrossEntropyBackprop',
  'reduceRows', 'reduceMiddle', 'argMax', 'softmaxRows', 'copy4', 'transpose2', 'conv2dForward',
  'conv2dBackpropInput', 'conv2dBackpropFilter', 'convBiasGrad', 'convPackWeights', 'convDirect', 'convDirectFilter', 'convSmall', 'convSmallFilter', 'winogradFilter', 'winogradConv', 'poolForward', 'maxPoolBackprop', 'avgPoolBackprop', 'gather',
  'scatterAdd', 'oneHot', 'randomUniform', 'heapBase',
  'winoFilterAccum', 'winoFilterOut', 'countNonzero', 'maxPoolReluNonzero', 'convSparsePack', 'convSparseInput', 'convSparseFilter', 'spmm', 'spmmScratchBytes', 'convSparseSampleBytes', 'convSparseEntries', 'convSparseAccBytes', 'fusedMultiplyAdd',
] as const;
export type KernelExport = (typeof KERNEL_EXPORTS)[number];
/** Exports that answer a question (sizes, counts) rather than run as a kernel. */
type QueryExport = 'heapBase' | 'gemmScratchBytes' | 'fusedMultiplyAdd' | 'countNonzero' | 'maxPoolReluNonzero' | 'spmmScratchBytes' | 'convSparseSampleBytes' | 'convSparseEntries' | 'convSparseAccBytes';
/** Exports that kernels run (possibly on several threads). */
export type ParallelExport = Exclude<KernelExport, QueryExport>;
export type Exports = Record<ParallelExport, KernelFn> & {
  heapBase(): number;
  gemmScratchBytes(): number;
  /** 1 when the product loops' multiply-add fuses, in this build on this CPU (assembly/fma.ts), else 0. */
  fusedMultiplyAdd(a: number, c: number): number;
  /** Nonzero floats among `count` at `ptr`. */
  countNonzero(ptr: number, count: number): number;
  /** assembly/pool.ts: the nonzeros of a 2×2 max pool's input gradient when a ReLU follows the pool. */
  maxPoolReluNonzero(dy: number, x: number, planes: number, H: number, W: number, Ho: number, Wo: number): number;
  /** Bytes of spmm's per-thread scratch for inner size K. */
  spmmScratchBytes(K: number): number;
  /** assembly/convSparse.ts: sizes of the sparse convolution kernels' scratch. */
  convSparseSampleBytes(Hs: number, Ws: number, C4: number): number;
  convSparseEntries(HoWo: number, F: number): number;
  convSparseAccBytes(filters: number, C: number, kh: number, kw: number, C4: number): number;
};

export interface Storage {
  readonly ptr: number;
  readonly size: number;
  readonly dtype: DType;
  readonly lifetime: Lifetime;
}

/**
 * A 2×2 stride-2 max pool's input gradient left unwritten (kernels/Pool.ts): what the sparse
 * filter gradient needs to rebuild it a plane at a time, in cache (assembly/convSparse.ts).
 */
export interface PooledGrad {
  /** The pool's output gradient, N × C × PH × PW. */
  readonly dy: number;
  /** The pool's input, N × C × H × W: the shape of the gradient it stands for. */
  readonly x: number;
  readonly PH: number;
  readonly PW: number;
  /** The pool carries a ReLU (PoolAttrs.relu): windows whose maximum is ≤ 0 pass no gradient. */
  readonly relu: boolean;
}

/** A step tensor whose kernel has not run yet: it runs when anything looks the tensor up. */
interface Deferred {
  /** Tensors it reads: looking one of them up runs it first (so they cannot change under it). */
  readonly reads: readonly number[];
  readonly run: () => void;
  readonly pooled: PooledGrad;
}

/** One chunk of a parallel call: the export's arguments for one fixed piece of the output. */
export type Chunk = readonly number[];

/** Words of the kernel parameter block (createWasmBackend allocates 256 bytes). */
const PARAM_WORDS = 64;

/** Chunks per thread a divisible kernel is cut into, so a late thread holds back little. */
const CHUNKS_PER_THREAD = 4;

export class KernelContext {
  private f32View: Float32Array;
  private i32View: Int32Array;
  private workspacePtr = 0;
  private workspaceBytes = 0;
  private readonly deferred = new Map<number, Deferred>();
  /**
   * Whether the module's product loops fuse multiply and add — the fma build on a CPU with FMA
   * (assembly/fma.ts): the dense kernels then run ~1.7× as fast, which moves where the sparse
   * kernels pay. The fma build on a CPU without FMA multiplies then adds, and is tuned as the
   * baseline build.
   */
  readonly fma: boolean;

  constructor(
    readonly memory: WasmMemory,
    readonly ex: Exports,
    private readonly pool: ThreadPool,
    private readonly heap: Heap,
    private readonly lookup: (t: TensorInfo) => Storage,
    /** Per-thread GEMM packing scratch, gemmScratchBytes() each. */
    private readonly gemmScratchPtrs: readonly number[],
    /** PARAM_WORDS int32 words for kernel parameter blocks (conv, pool). */
    private readonly paramsPtr: number,
  ) {
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.fma = ex.fusedMultiplyAdd(1 + 2 ** -12, -(1 + 2 ** -11)) === 1;
  }

  get threads(): number {
    return this.pool.size;
  }

  /** The tensor's storage, checked against the size its shape implies (and computed, if deferred). */
  storage(t: TensorInfo): Storage {
    this.settle(t.id);
    const s = this.lookup(t);
    let n = 1;
    for (const d of t.shape) n *= d;
    if (n !== s.size) throw new Error(`wasm backend: shape [${t.shape.join(', ')}] does not match storage of ${s.size} elements`);
    return s;
  }

  ptr(t: TensorInfo): number {
    return this.storage(t).ptr;
  }

  /**
   * Leaves step tensor `out` unwritten until it is looked up — by any kernel, read or write —
   * or one of `reads` is, then runs `run` (which computes it); a kernel that can use it in the
   * `pooled` form asks for that with pooledGrad() instead. Returns false (nothing deferred) for
   * a tensor that outlives the step.
   */
  defer(out: TensorInfo, reads: readonly TensorInfo[], run: () => void, pooled: PooledGrad): boolean {
    if (this.lookup(out).lifetime !== 'step') return false;
    this.deferred.set(out.id, { reads: reads.map((r) => r.id), run, pooled });
    return true;
  }

  /** The pooled form of a deferred tensor, without computing it; undefined when it is written. */
  pooledGrad(t: TensorInfo): PooledGrad | undefined {
    return this.deferred.get(t.id)?.pooled;
  }

  /** Runs what tensor `id` waits on: its own deferred kernel, and any deferred kernel that reads it. */
  settle(id: number): void {
    // Every tensor lookup comes here; nearly always nothing waits.
    if (this.deferred.size === 0) return;
    for (;;) {
      let found: [number, Deferred] | undefined;
      for (const entry of this.deferred) {
        if (entry[0] === id || entry[1].reads.includes(id)) {
          found = entry;
          break;
        }
      }
      if (!found) return;
      // Removed first: the kernel looks its own output up. The kernel that asked may have
      // written its parameter block already: it gets it back.
      this.deferred.delete(found[0]);
      const params = this.i32.slice(this.paramsPtr >>> 2, (this.paramsPtr >>> 2) + PARAM_WORDS);
      found[1].run();
      this.i32.set(params, this.paramsPtr >>> 2);
    }
  }

  get deferredCount(): number {
    return this.deferred.size;
  }

  /** At the end of a step: its tensors are gone, so what nobody read is never computed. */
  dropDeferred(): void {
    this.deferred.clear();
  }

  /** Float32 view of all memory (re-made after memory.grow, which replaces the buffer). */
  get f32(): Float32Array {
    if (this.f32View.buffer.byteLength !== this.memory.buffer.byteLength) this.f32View = new Float32Array(this.memory.buffer);
    return this.f32View;
  }

  get i32(): Int32Array {
    if (this.i32View.buffer.byteLength !== this.memory.buffer.byteLength) this.i32View = new Int32Array(this.memory.buffer);
    return this.i32View;
  }

  gemmScratch(thread: number): number {
    return this.gemmScratchPtrs[thread]!;
  }

  /** Writes an int32 parameter block and returns its address. */
  params(values: readonly number[]): number {
    if (values.length > PARAM_WORDS) throw new Error('wasm backend: parameter block too long');
    this.i32.set(values, this.paramsPtr >>> 2);
    return this.paramsPtr;
  }

  /**
   * `bytes` of scratch valid until the next workspace() call. Grows (never shrinks) the one
   * persistent block, so repeated steps reuse it.
   */
  workspace(bytes: number): number {
    if (bytes > this.workspaceBytes) {
      if (this.workspacePtr) this.heap.free(this.workspacePtr);
      this.workspaceBytes = Math.ceil(Math.max(bytes, this.workspaceBytes * 1.25) / 65536) * 65536;
      this.workspacePtr = this.heap.alloc(this.workspaceBytes);
    }
    return this.workspacePtr;
  }

  /**
   * How many chunks a kernel of `work` units is cut into: one per `grain` units, at most
   * CHUNKS_PER_THREAD per thread and `maxChunks`; one (the calling thread alone) for small
   * kernels or a single-thread pool.
   */
  chunksFor(work: number, grain: number, maxChunks = Infinity): number {
    if (this.pool.size === 1) return 1;
    return Math.max(1, Math.min(this.pool.size * CHUNKS_PER_THREAD, maxChunks, Math.floor(work / grain)));
  }

  /** Per-thread scratch for chunk arguments at `positions`: values(t) on thread t. */
  threadScratch(positions: readonly number[], values: (thread: number) => readonly number[]): ThreadScratch {
    return { positions, values: Array.from({ length: this.pool.size }, (_, t) => values(t)) };
  }

  /** Runs export `name` once per chunk, on whichever threads claim them. */
  run(name: ParallelExport, chunks: readonly Chunk[], scratch?: ThreadScratch): void {
    this.pool.run(name, this.ex[name], chunks, scratch);
  }

  /** Splits [0, total) into `chunks` aligned ranges and runs `name` with args(lo, hi) on each. */
  parallelRange(name: ParallelExport, total: number, chunks: number, align: number, args: (lo: number, hi: number) => Chunk): void {
    if (chunks <= 1 || total <= align) {
      this.ex[name](...args(0, total));
      return;
    }
    this.run(name, splitRange(total, chunks, align).filter(([lo, hi]) => hi > lo).map(([lo, hi]) => args(lo, hi)));
  }
}
