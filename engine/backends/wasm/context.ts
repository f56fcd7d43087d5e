// What a host-side kernel (kernels/*.ts) sees of the wasm backend: the exports, tensor
// pointers, views of memory, per-thread GEMM scratch, a reusable workspace and the thread pool
// with its partitioning rule. Kernels never allocate tensors here; the workspace is a single
// persistent block that only grows when a larger request arrives.

import type { DType, TensorInfo } from '../backend.js';
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
  'winoFilterAccum', 'winoFilterOut', 'countNonzero', 'convSparsePack', 'convSparseInput', 'convSparseFilter', 'spmm', 'spmmScratchBytes', 'convSparseSampleBytes', 'convSparseEntries', 'convSparseAccBytes', 'fusedMultiplyAdd',
] as const;
export type KernelExport = (typeof KERNEL_EXPORTS)[number];
/** Exports that kernels run (possibly on several threads). */
/** Exports that answer a question (sizes, counts) rather than run as a kernel. */
type QueryExport = 'heapBase' | 'gemmScratchBytes' | 'fusedMultiplyAdd' | 'countNonzero' | 'spmmScratchBytes' | 'convSparseSampleBytes' | 'convSparseEntries' | 'convSparseAccBytes';
export type ParallelExport = Exclude<KernelExport, QueryExport>;
export type Exports = Record<ParallelExport, KernelFn> & {
  heapBase(): number;
  gemmScratchBytes(): number;
  /** 1 for the build whose product loops fuse multiply and add (assembly/fma.ts), else 0. */
  fusedMultiplyAdd(): number;
  /** Nonzero floats among `count` at `ptr`. */
  countNonzero(ptr: number, count: number): number;
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
}

/** One chunk of a parallel call: the export's arguments for one fixed piece of the output. */
export type Chunk = readonly number[];

/** Chunks per thread a divisible kernel is cut into, so a late thread holds back little. */
const CHUNKS_PER_THREAD = 4;

export class KernelContext {
  private f32View: Float32Array;
  private i32View: Int32Array;
  private workspacePtr = 0;
  private workspaceBytes = 0;
  /** Whether the module's product loops use fused multiply-add (assembly/fma.ts): they run ~1.7× as fast, which moves where the sparse kernels pay. */
  readonly fma: boolean;

  constructor(
    readonly memory: WasmMemory,
    readonly ex: Exports,
    private readonly pool: ThreadPool,
    private readonly heap: Heap,
    private readonly lookup: (t: TensorInfo) => Storage,
    /** Per-thread GEMM packing scratch, gemmScratchBytes() each. */
    private readonly gemmScratchPtrs: readonly number[],
    /** 64 int32 words for kernel parameter blocks (conv, pool). */
    private readonly paramsPtr: number,
  ) {
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.fma = ex.fusedMultiplyAdd() === 1;
  }

  get threads(): number {
    return this.pool.size;
  }

  /** The tensor's storage, checked against the size its shape implies. */
  storage(t: TensorInfo): Storage {
    const s = this.lookup(t);
    let n = 1;
    for (const d of t.shape) n *= d;
    if (n !== s.size) throw new Error(`wasm backend: shape [${t.shape.join(', ')}] does not match storage of ${s.size} elements`);
    return s;
  }

  ptr(t: TensorInfo): number {
    return this.storage(t).ptr;
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
    if (values.length > 64) throw new Error('wasm backend: parameter block too long');
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
