// The worker pool. Each worker instantiates the kernel module on the same shared memory and
// then sleeps on a control block in that memory. A parallel kernel call publishes a job — one
// export, a list of *chunks* (argument lists fixed by the shapes alone) — bumps a sequence
// number and wakes the workers with Atomics.notify: no postMessage in the steady state.
// Every thread, the caller included, then claims chunks until none are left, and the caller
// waits until all chunks are done.
//
// Home segments: the chunk list is cut into one contiguous segment per thread, each with its
// own claim counter; thread t claims from segment t first and only then steals from the
// others. Kernels list chunks in memory order, so thread t computes the same part of memory
// (the t-th slice of the batch) in consecutive kernels, and reads what it wrote itself from
// its own L2. On a quiet machine the shared L3 hides the difference; while another process
// runs, a ReLU after a convolution took 0.53–0.69 ms on two threads with one shared counter
// (0.32 on one thread) and 0.17–0.39 with home segments (docs/wasm-backend.md, Threads).
//
// Determinism: a chunk's result never depends on which thread runs it (kernels split outputs,
// never a sum), and the chunk list depends only on shapes, so any schedule gives the same
// bits. Claiming instead of assigning means a worker that is asleep or preempted (by the JIT,
// the GC, another process) delays at most the one chunk it holds, not the whole call.

import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './webassembly.js';

// Control block layout (int32 word indices, then byte offsets).
const SEQ = 0; // bumped once per published job
const CHUNKS = 1; // chunks in the job
const DONE = 2; // chunks finished
const ERROR = 3; // index of a worker that threw (0: none)
const SHUTDOWN = 4;
const FN = 5; // export index
const NARGS = 6;
const NSCRATCH = 7; // how many arguments are per-thread scratch pointers
const SCRATCH_POS = 8; // their positions (up to MAX_SCRATCH words)
const NSEG = 12; // home segments in the job: min(threads, chunks)
const MAX_SCRATCH = 4;
const HEADER_BYTES = 64;
// Then one claim word per thread: segment s's (end << 16) | next chunk index — one word, so a
// claim sees its own job's segment end even if it races with the next job's publication.
/** Arguments per chunk. */
export const MAX_ARGS = 24;
/** Chunks per job (the claim word keeps 16 bits for the index). */
export const MAX_CHUNKS = 256;

function claimsOffset(): number {
  return HEADER_BYTES;
}
function scratchOffset(threads: number): number {
  return HEADER_BYTES + Math.ceil(threads / 2) * 8;
}
function chunksOffset(threads: number): number {
  return scratchOffset(threads) + threads * MAX_SCRATCH * 8;
}

/** Bytes of shared memory the control block of a pool of `threads` needs. */
export function controlBytes(threads: number): number {
  return chunksOffset(threads) + MAX_CHUNKS * MAX_ARGS * 8;
}

/** If a chunk has not finished in this long, its worker is assumed dead. */
const STALL_MS = 120_000;

// The worker, as CommonJS source for `new Worker(code, { eval: true })`: no file to locate,
// so it runs the same from TypeScript sources (Vitest) and from the built dist/engine.
const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, threads, index, names, spinMs, errors, at } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const words = new Int32Array(memory.buffer, ctl, ${HEADER_BYTES / 4});
const claims = new Int32Array(memory.buffer, ctl + at.claims, threads);
const scratch = new Float64Array(memory.buffer, ctl + at.scratch + index * ${MAX_SCRATCH * 8}, ${MAX_SCRATCH});
const table = new Float64Array(memory.buffer, ctl + at.chunks, ${MAX_CHUNKS * MAX_ARGS});
const argv = [];
for (let n = 0; n <= ${MAX_ARGS}; n++) argv.push(new Array(n).fill(0));
let seen = Atomics.load(words, ${SEQ});
errors.postMessage({ ready: true });
for (;;) {
  let s = Atomics.load(words, ${SEQ});
  if (s === seen) {
    const until = performance.now() + spinMs;
    for (let i = 1; s === seen && ((i & 63) !== 0 || performance.now() < until); i++) s = Atomics.load(words, ${SEQ});
  }
  if (s === seen) {
    Atomics.wait(words, ${SEQ}, seen);
    continue;
  }
  seen = s;
  if (Atomics.load(words, ${SHUTDOWN}) !== 0) break;
  // Own segment first, then the others in turn. NSEG is read before any claim, so it may be a
  // newer job's; a claim is only ever taken inside the segment end its own word names.
  const segs = Atomics.load(words, ${NSEG});
  for (let k = 0; k < segs; k++) {
    const seg = (index + k) % segs;
    for (;;) {
      const claim = Atomics.add(claims, seg, 1);
      const c = claim & 0xffff;
      if (c >= claim >>> 16) break;
      const n = words[${CHUNKS}];
      const nargs = words[${NARGS}];
      const a = argv[nargs];
      for (let i = 0; i < nargs; i++) a[i] = table[c * nargs + i];
      for (let j = 0; j < words[${NSCRATCH}]; j++) a[words[${SCRATCH_POS} + j]] = scratch[j];
      try {
        fns[words[${FN}]].apply(null, a);
      } catch (e) {
        errors.postMessage({ error: String((e && e.stack) || e) });
        Atomics.store(words, ${ERROR}, index);
      }
      if (Atomics.add(words, ${DONE}, 1) + 1 === n) Atomics.notify(words, ${DONE});
    }
  }
}
`;

export interface PoolOptions {
  /** Threads in all, the calling thread included. */
  readonly threads: number;
  /**
   * Microseconds a thread polls before it sleeps on a futex (a worker between jobs, the caller
   * waiting for chunks). Waking a sleeping thread costs ~30–50 µs here; back-to-back kernels in
   * a training step are usually closer together than that. Default 300.
   */
  readonly spinMicros?: number;
}

type KernelFn = (...args: number[]) => void;

/** Per-thread scratch pointers: `values[t][k]` replaces argument `positions[k]` on thread t. */
export interface ThreadScratch {
  readonly positions: readonly number[];
  readonly values: readonly (readonly number[])[];
}

export class ThreadPool {
  private readonly words: Int32Array;
  private readonly claims: Int32Array;
  private readonly scratch: Float64Array;
  private readonly table: Float64Array;
  private readonly indexOf: Map<string, number>;
  private disposed = false;

  private constructor(
    memory: WasmMemory,
    ctl: number,
    readonly size: number,
    private readonly workers: readonly Worker[],
    private readonly errorPorts: readonly MessagePort[],
    names: readonly string[],
    private readonly spinMs: number,
  ) {
    this.words = new Int32Array(memory.buffer, ctl, HEADER_BYTES / 4);
    this.claims = new Int32Array(memory.buffer, ctl + claimsOffset(), size);
    this.scratch = new Float64Array(memory.buffer, ctl + scratchOffset(size), size * MAX_SCRATCH);
    this.table = new Float64Array(memory.buffer, ctl + chunksOffset(size), MAX_CHUNKS * MAX_ARGS);
    this.indexOf = new Map(names.map((n, i) => [n, i]));
  }

  /**
   * Starts `threads − 1` workers on `module` and `memory` and resolves when every one has
   * instantiated it. `ctl` is controlBytes(threads) of zeroed shared memory.
   */
  static async create(module: WasmModule, memory: WasmMemory, ctl: number, names: readonly string[], options: PoolOptions): Promise<ThreadPool> {
    const size = Math.max(1, Math.floor(options.threads));
    const spinMs = (options.spinMicros ?? 300) / 1000;
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const at = { claims: claimsOffset(), scratch: scratchOffset(size), chunks: chunksOffset(size) };
    try {
      await Promise.all(
        Array.from({ length: size - 1 }, (_, i) => {
          const { port1, port2 } = new MessageChannel();
          const worker = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: { module, memory, ctl, threads: size, index: i + 1, names, spinMs, errors: port2, at },
            transferList: [port2],
          });
          workers.push(worker);
          ports.push(port1);
          return new Promise<void>((resolve, reject) => {
            port1.once('message', () => resolve());
            worker.once('error', reject);
            worker.once('exit', (code) => reject(new Error(`wasm worker exited (${code}) before it was ready`)));
          }).finally(() => {
            worker.removeAllListeners('error');
            worker.removeAllListeners('exit');
          });
        }),
      );
    } catch (e) {
      for (const w of workers) void w.terminate();
      throw e;
    }
    // Idle workers must not keep the process alive (a host that forgets dispose() still exits).
    for (const w of workers) w.unref();
    for (const p of ports) p.unref();
    return new ThreadPool(memory, ctl, size, workers, ports, names, spinMs);
  }

  /**
   * Runs export `name` once per chunk (an argument list) and returns when all are done. With
   * one chunk, or one thread, everything runs here, on `local` (this thread's instance).
   */
  run(name: string, local: KernelFn, chunks: readonly (readonly number[])[], scratch?: ThreadScratch): void {
    if (this.disposed) throw new Error('wasm backend: used after dispose()');
    const n = chunks.length;
    if (n === 0) return;
    if (n === 1 || this.size === 1) {
      for (const c of chunks) local(...withScratch(c, scratch, 0));
      return;
    }
    if (n > MAX_CHUNKS) throw new Error(`wasm backend: ${name} split into ${n} chunks; at most ${MAX_CHUNKS}`);
    const k = this.indexOf.get(name);
    if (k === undefined) throw new Error(`wasm backend: no kernel export ${name}`);
    const nargs = chunks[0]!.length;
    if (nargs > MAX_ARGS) throw new Error(`wasm backend: ${name} takes ${nargs} arguments; chunks hold ${MAX_ARGS}`);
    const w = this.words;
    // Publish: the job first, the claim words last (they are what makes chunks claimable).
    w[FN] = k;
    w[NARGS] = nargs;
    const positions = scratch?.positions ?? [];
    w[NSCRATCH] = positions.length;
    positions.forEach((p, i) => (w[SCRATCH_POS + i] = p));
    if (scratch) for (let t = 0; t < this.size; t++) this.scratch.set(scratch.values[t]!, t * MAX_SCRATCH);
    chunks.forEach((c, i) => {
      if (c.length !== nargs) throw new Error(`wasm backend: ${name} chunks disagree on their argument count`);
      this.table.set(c, i * nargs);
    });
    // Segment s holds chunks [⌊s·n/S⌋, ⌊(s+1)·n/S⌋): thread s's share of memory order. Words
    // past S are emptied too, so a worker that read an older job's larger S finds nothing there
    // (and no stale word creeps towards the 16-bit limit over a long run).
    const segs = Math.min(this.size, n);
    w[CHUNKS] = n;
    w[NSEG] = segs;
    Atomics.store(w, DONE, 0);
    for (let s = 0; s < this.size; s++) {
      Atomics.store(this.claims, s, s < segs ? (Math.floor(((s + 1) * n) / segs) << 16) | Math.floor((s * n) / segs) : 0);
    }
    Atomics.add(w, SEQ, 1);
    Atomics.notify(w, SEQ);
    // Claim chunks here too, like any worker (the caller is thread 0).
    let failure: unknown;
    for (let s = 0; s < segs; s++) {
      for (;;) {
        const claim = Atomics.add(this.claims, s, 1);
        const c = claim & 0xffff;
        if (c >= claim >>> 16) break;
        try {
          if (failure === undefined) local(...withScratch(chunks[c]!, scratch, 0));
        } catch (e) {
          failure = e;
        }
        Atomics.add(w, DONE, 1);
      }
    }
    this.join(n);
    if (failure !== undefined) throw failure;
    const bad = Atomics.exchange(w, ERROR, 0);
    if (bad !== 0) {
      const msg = receiveMessageOnPort(this.errorPorts[bad - 1]!)?.message as { error?: string } | undefined;
      throw new Error(`wasm backend: ${name} failed on worker ${bad}: ${msg?.error ?? 'unknown error'}`);
    }
  }

  /** Waits until `n` chunks are done: a short spin, then sleeps on the DONE word. */
  private join(n: number): void {
    const w = this.words;
    let done = Atomics.load(w, DONE);
    if (done !== n) {
      const until = performance.now() + this.spinMs;
      for (let i = 1; done !== n && ((i & 63) !== 0 || performance.now() < until); i++) done = Atomics.load(w, DONE);
    }
    const deadline = Date.now() + STALL_MS;
    while (done !== n) {
      Atomics.wait(w, DONE, done, 1000);
      done = Atomics.load(w, DONE);
      if (done !== n && Date.now() > deadline) throw new Error(`wasm backend: ${n - done} chunk(s) did not finish within ${STALL_MS / 1000} s`);
    }
  }

  /** Stops the workers (they leave their wait loop, then are terminated). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.words, SHUTDOWN, 1);
    Atomics.add(this.words, SEQ, 1);
    Atomics.notify(this.words, SEQ);
    for (const w of this.workers) void w.terminate();
    for (const p of this.errorPorts) p.close();
  }
}

function withScratch(args: readonly number[], scratch: ThreadScratch | undefined, thread: number): readonly number[] {
  if (!scratch) return args;
  const a = [...args];
  scratch.positions.forEach((p, k) => (a[p] = scratch.values[thread]![k]!));
  return a;
}
