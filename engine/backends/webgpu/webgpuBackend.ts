// The WebGPU backend (DESIGN.md §4): tensors in pooled GPUBuffers, every contract kernel a WGSL
// compute program (kernels/), pipelines cached by shader key, and dispatches batched into one
// command encoder that is submitted on read(), endStep() or when the batch fills.
// docs/webgpu-backend.md has the design; createWebGpuBackend() resolves null without an adapter.

import type { Backend, DataId, DType, KernelAttrs, KernelName, Lifetime, TensorInfo, Values } from '../backend.js';
import { fail, type GpuContext, type GpuKernel } from './context.js';
import { acquireDevice, type DeviceOptions } from './device.js';
import { KERNELS } from './kernels/index.js';
import { BufferPool } from './pool.js';
import { grid, PARAM_WORDS, shaderSource, type Params, type Program } from './program.js';

export interface WebGpuBackendOptions extends DeviceOptions {
  /** Dispatches per command buffer before it is submitted. Default 256 (the uniform ring's slots). */
  readonly batchLimit?: number;
  /**
   * MatMul kernel: 'tiled' (shared memory; real GPUs) or 'direct' (no barriers; much faster on
   * SwiftShader). Default: 'direct' on SwiftShader, else 'tiled'.
   */
  readonly matmul?: 'tiled' | 'direct';
  /** Bytes of free buffers the pool keeps for reuse; more are destroyed at endStep(). Default 512 MiB. */
  readonly keepFreeBytes?: number;
}

/** One parameter block per dispatch; 256 bytes is also minUniformBufferOffsetAlignment's maximum. */
const SLOT_BYTES = PARAM_WORDS * 4;
const RING_SLOTS = 256;

const USAGE_UNIFORM_DST = 0x40 /* UNIFORM */ | 0x08; /* COPY_DST */
const USAGE_READBACK = 0x01 /* MAP_READ */ | 0x08; /* COPY_DST */
const USAGE_UPLOAD = 0x04; /* COPY_SRC */
const MAP_READ = 0x01;

interface GpuRecord {
  readonly buffer: GPUBuffer;
  readonly size: number;
  readonly dtype: DType;
  readonly lifetime: Lifetime;
}

export interface WebGpuStats {
  /** Buffers holding tensors now, and their bytes (size classes, so ≥ the tensors' bytes). */
  readonly liveBuffers: number;
  readonly liveBytes: number;
  /** Buffers kept for reuse. */
  readonly freeBuffers: number;
  readonly freeBytes: number;
  /** Compiled pipelines (one per shader key seen). */
  readonly pipelines: number;
  /** Command buffers submitted so far. */
  readonly submits: number;
}

export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend | null> {
  const acquired = await acquireDevice(options);
  if (acquired === null) return null;
  return new WebGpuBackend(acquired.gpu, acquired.device, acquired.description, options);
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  private readonly records = new Map<number, GpuRecord>();
  private stepIds: number[] = [];
  private nextId = 1;
  private readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly ring: GPUBuffer;
  private readonly ringData = new ArrayBuffer(RING_SLOTS * SLOT_BYTES);
  private readonly ringView = new DataView(this.ringData);
  private readonly batchLimit: number;
  private readonly ctx: GpuContext;
  // The open batch: its encoder, its compute pass (kept open across dispatches: a pass orders
  // its dispatches itself), the ring slots used, the buffers it touches, uploads to destroy.
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private slots = 0;
  private readonly touched = new Set<GPUBuffer>();
  private uploads: GPUBuffer[] = [];
  private submits = 0;
  private deviceError: string | null = null;
  private disposed = false;

  /** Use createWebGpuBackend(). */
  constructor(
    // Held so the Dawn instance lives as long as its device.
    readonly gpu: GPU,
    private readonly device: GPUDevice,
    /** The adapter, in words (for logs and the engine's handshake). */
    readonly adapter: string,
    options: WebGpuBackendOptions = {},
  ) {
    this.pool = new BufferPool(device, options.keepFreeBytes ?? 512 * 1024 * 1024);
    this.batchLimit = Math.max(1, Math.min(RING_SLOTS, options.batchLimit ?? RING_SLOTS));
    this.ring = device.createBuffer({ size: RING_SLOTS * SLOT_BYTES, usage: USAGE_UNIFORM_DST });
    // Validation errors arrive asynchronously; keep the first and raise it at the next call.
    device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
      this.deviceError ??= event.error.message;
    };
    void device.lost.then((info) => {
      if (!this.disposed) this.deviceError ??= `device lost: ${info.message}`;
    });
    const tiledMatMul = (options.matmul ?? (/swiftshader/i.test(adapter) ? 'direct' : 'tiled')) === 'tiled';
    this.ctx = {
      tiledMatMul,
      dispatch: (program, inputs, outputs, params, workgroups) => this.dispatch(program, inputs, outputs, params, workgroups),
      copy: (src, dst, elements) => this.copyWords(this.record(src.id).buffer, this.record(dst.id).buffer, elements),
    };
  }

  alloc(dtype: DType, size: number, lifetime: Lifetime): DataId {
    this.check();
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`webgpu backend: cannot allocate ${size} elements`);
    if (dtype !== 'float32' && dtype !== 'int32') fail(`unsupported dtype ${String(dtype)}`);
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (size * 4 > limit) throw new RangeError(`webgpu backend: ${size * 4} bytes exceed the adapter's largest binding (${limit} bytes)`);
    const id = this.nextId++;
    this.records.set(id, { buffer: this.pool.acquire(size * 4), size, dtype, lifetime });
    if (lifetime === 'step') this.stepIds.push(id);
    return id as DataId;
  }

  free(id: DataId): void {
    const r = this.record(id);
    if (r.lifetime === 'step') fail(`free(#${id}): step storage is reclaimed by endStep(), not freed one by one`);
    // Safe to reuse at once: later commands that get this buffer are encoded (or submitted)
    // after the ones that used it, and the queue runs them in order.
    this.pool.release(r.buffer);
    this.records.delete(id);
  }

  write(id: DataId, values: ArrayLike<number>): void {
    this.check();
    const r = this.record(id);
    if (values.length !== r.size) throw new RangeError(`webgpu backend: writing ${values.length} values into ${r.size} elements`);
    if (r.size === 0) return;
    const data = r.dtype === 'int32' ? (values instanceof Int32Array ? values : Int32Array.from(values)) : values instanceof Float32Array ? values : Float32Array.from(values);
    if (!this.touched.has(r.buffer)) {
      // queue.writeBuffer runs before the open batch is submitted: right only when the batch
      // does not use this buffer.
      this.device.queue.writeBuffer(r.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
      return;
    }
    // The open batch reads or writes this buffer: upload through a staging buffer copied in
    // the batch's own order.
    const upload = this.device.createBuffer({ size: data.byteLength, usage: USAGE_UPLOAD, mappedAtCreation: true });
    new Uint8Array(upload.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    upload.unmap();
    this.uploads.push(upload);
    this.copyWords(upload, r.buffer, r.size);
  }

  async read(id: DataId): Promise<Values> {
    this.check();
    const r = this.record(id);
    const bytes = r.size * 4;
    this.flush();
    if (bytes === 0) return r.dtype === 'int32' ? new Int32Array(0) : new Float32Array(0);
    const staging = this.device.createBuffer({ size: bytes, usage: USAGE_READBACK });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(r.buffer, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    this.submits++;
    try {
      await staging.mapAsync(MAP_READ);
      const copy = staging.getMappedRange().slice(0);
      staging.unmap();
      this.raiseDeviceError();
      return r.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    } finally {
      staging.destroy();
    }
  }

  run<K extends KernelName>(kernel: K, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs[K]): void {
    this.check();
    const impl = KERNELS[kernel] as GpuKernel<K> | undefined;
    if (!impl) fail(`unknown kernel ${String(kernel)}`);
    impl(this.ctx, inputs, outputs, attrs);
  }

  endStep(): void {
    this.check();
    this.flush();
    for (const id of this.stepIds) {
      const r = this.records.get(id);
      if (r === undefined) continue;
      this.pool.release(r.buffer);
      this.records.delete(id);
    }
    this.stepIds = [];
    this.pool.trim();
  }

  /** Bytes of tensor buffers in use plus the uniform ring; free pool buffers are in stats(). */
  memoryBytes(): number {
    return this.pool.stats().liveBytes + this.ring.size;
  }

  stats(): WebGpuStats {
    return { ...this.pool.stats(), pipelines: this.pipelines.size, submits: this.submits };
  }

  /** Submits the open batch (reads and endStep() do this themselves). */
  flush(): void {
    if (this.encoder === null) return;
    this.endPass();
    if (this.slots > 0) this.device.queue.writeBuffer(this.ring, 0, this.ringData, 0, this.slots * SLOT_BYTES);
    this.device.queue.submit([this.encoder.finish()]);
    this.submits++;
    this.encoder = null;
    this.slots = 0;
    this.touched.clear();
    for (const upload of this.uploads) upload.destroy();
    this.uploads = [];
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder = null;
    this.pass = null;
    for (const r of this.records.values()) r.buffer.destroy();
    this.records.clear();
    this.stepIds = [];
    this.pool.destroyAll();
    this.ring.destroy();
    this.device.destroy();
  }

  // -------------------------------------------------------------------------------------------

  private dispatch(program: Program, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], params: Params, workgroups: number): void {
    if (workgroups <= 0) return;
    if (this.slots >= this.batchLimit) this.flush();
    const inBuffers = inputs.map((t) => this.record(t.id).buffer);
    const outBuffers = outputs.map((t) => this.record(t.id).buffer);
    // WebGPU forbids binding one buffer both read-only and writable in a dispatch: an output
    // that aliases an input is computed into a temporary and copied over.
    const aliased = outBuffers.map((b) => inBuffers.includes(b));
    const targets = outBuffers.map((b, k) => (aliased[k] ? this.pool.acquire(b.size) : b));

    const slot = this.slots++;
    params.encode(this.ringView, slot * SLOT_BYTES);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: this.ring, offset: slot * SLOT_BYTES, size: SLOT_BYTES } }];
    [...inBuffers, ...targets].forEach((buffer, k) => entries.push({ binding: k + 1, resource: { buffer } }));
    const pipeline = this.pipeline(program);
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y] = grid(workgroups);
    pass.dispatchWorkgroups(x, y);
    for (const b of inBuffers) this.touched.add(b);
    for (const b of targets) this.touched.add(b);
    targets.forEach((t, k) => {
      if (!aliased[k]) return;
      this.copyWords(t, outBuffers[k]!, t.size / 4);
      this.pool.release(t);
    });
  }

  private pipeline(program: Program): GPUComputePipeline {
    let p = this.pipelines.get(program.key);
    if (p !== undefined) return p;
    const module = this.device.createShaderModule({ code: shaderSource(program) });
    p = this.device.createComputePipeline({ layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.layout(program)] }), compute: { module, entryPoint: 'main' } });
    this.pipelines.set(program.key, p);
    return p;
  }

  /**
   * Explicit layouts, not 'auto': an auto layout drops bindings the shader never reads, and a
   * bind group that names them then fails validation.
   */
  private layout(program: Program): GPUBindGroupLayout {
    const key = `${program.inputs.length}:${program.outputs.length}`;
    let layout = this.layouts.get(key);
    if (layout !== undefined) return layout;
    const COMPUTE = 0x4; // GPUShaderStage.COMPUTE
    const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: COMPUTE, buffer: { type: 'uniform' } }];
    for (let k = 0; k < program.inputs.length; k++) entries.push({ binding: k + 1, visibility: COMPUTE, buffer: { type: 'read-only-storage' } });
    for (let k = 0; k < program.outputs.length; k++) entries.push({ binding: program.inputs.length + k + 1, visibility: COMPUTE, buffer: { type: 'storage' } });
    layout = this.device.createBindGroupLayout({ entries });
    this.layouts.set(key, layout);
    return layout;
  }

  private computePass(): GPUComputePassEncoder {
    if (this.pass !== null) return this.pass;
    this.encoder ??= this.device.createCommandEncoder();
    this.pass = this.encoder.beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    if (this.pass === null) return;
    this.pass.end();
    this.pass = null;
  }

  /** Copies (copies live outside compute passes, so the open pass ends first). */
  private copyWords(src: GPUBuffer, dst: GPUBuffer, words: number): void {
    if (src === dst || words === 0) return;
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src, 0, dst, 0, words * 4);
    this.touched.add(src);
    this.touched.add(dst);
  }

  private record(id: DataId | number): GpuRecord {
    const r = this.records.get(id);
    if (!r) fail(`tensor ${id} does not exist (freed, or step storage after endStep())`);
    return r;
  }

  private raiseDeviceError(): void {
    if (this.deviceError !== null) fail(this.deviceError);
  }

  private check(): void {
    if (this.disposed) fail('used after dispose()');
    this.raiseDeviceError();
  }
}
