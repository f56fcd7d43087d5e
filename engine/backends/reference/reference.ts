// The `reference` backend: the oracle every other backend is tested against. Plain TypeScript,
// float64 storage and arithmetic for float32 tensors, every kernel of the contract written for
// clarity, and strict bookkeeping: touching storage after endStep() or free() throws at once,
// naming the lifetime rule that was broken, so lifetime bugs surface in tests.

import type { Backend, DataId, DType, KernelAttrs, KernelName, Lifetime, TensorInfo, Values } from '../backend.js';
import { REFERENCE_KERNELS } from './kernels/index.js';
import type { Buf, Kernel } from './kernels/buffer.js';

interface Storage {
  readonly data: Float64Array | Int32Array;
  readonly dtype: DType;
  readonly lifetime: Lifetime;
}

export class ReferenceBackend implements Backend {
  readonly name = 'reference' as const;

  /** Ids are never reused, so a stale id is always detected rather than aliasing new storage. */
  private nextId = 1;
  private readonly live = new Map<number, Storage>();
  /** Step storage made since the last endStep(). */
  private stepIds: number[] = [];
  /** Persistent ids released by free(), to tell "freed" from "reclaimed by endStep" in errors. */
  private readonly freed = new Set<number>();
  private bytes = 0;
  private disposed = false;

  alloc(dtype: DType, size: number, lifetime: Lifetime): DataId {
    this.assertUsable();
    if (!Number.isInteger(size) || size < 0) throw new Error(`reference: cannot allocate ${size} elements`);
    const data = dtype === 'int32' ? new Int32Array(size) : new Float64Array(size);
    const id = this.nextId++;
    this.live.set(id, { data, dtype, lifetime });
    this.bytes += data.byteLength;
    if (lifetime === 'step') this.stepIds.push(id);
    return id as DataId;
  }

  free(id: DataId): void {
    const storage = this.storage(id, 'free');
    if (storage.lifetime === 'step') {
      throw new Error(`reference: free(#${id}): step storage is reclaimed by endStep(), not freed one by one`);
    }
    this.live.delete(id);
    this.freed.add(id);
    this.bytes -= storage.data.byteLength;
  }

  write(id: DataId, values: ArrayLike<number>): void {
    const { data, dtype } = this.storage(id, 'write');
    if (values.length !== data.length) {
      throw new Error(`reference: write(#${id}): ${values.length} values into ${data.length} elements`);
    }
    if (dtype === 'int32') {
      for (let i = 0; i < values.length; i++) {
        if (!Number.isInteger(values[i])) throw new Error(`reference: write(#${id}): ${values[i]} is not an int32 value`);
      }
    }
    for (let i = 0; i < values.length; i++) data[i] = values[i]!;
  }

  read(id: DataId): Promise<Values> {
    return Promise.resolve(this.readSync(id));
  }

  readSync(id: DataId): Values {
    return this.storage(id, 'read').data.slice();
  }

  run<K extends KernelName>(kernel: K, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs[K]): void {
    const impl = REFERENCE_KERNELS[kernel] as Kernel<K> | undefined;
    if (impl === undefined) throw new Error(`reference: unknown kernel ${kernel}`);
    impl(
      inputs.map((t) => this.buffer(t, kernel)),
      outputs.map((t) => this.buffer(t, kernel)),
      attrs,
    );
  }

  endStep(): void {
    this.assertUsable();
    for (const id of this.stepIds) {
      const storage = this.live.get(id);
      if (storage === undefined) continue;
      this.bytes -= storage.data.byteLength;
      this.live.delete(id);
    }
    this.stepIds = [];
  }

  memoryBytes(): number {
    return this.bytes;
  }

  dispose(): void {
    this.live.clear();
    this.stepIds = [];
    this.bytes = 0;
    this.disposed = true;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('reference: the backend has been disposed');
  }

  /** The storage behind `id`, or an error that says which lifetime rule was broken. */
  private storage(id: DataId, use: string): Storage {
    this.assertUsable();
    const storage = this.live.get(id);
    if (storage !== undefined) return storage;
    if (this.freed.has(id)) {
      throw new Error(`reference: ${use}(#${id}): this persistent tensor was already freed (dispose() called earlier)`);
    }
    if (id > 0 && id < this.nextId) {
      throw new Error(
        `reference: ${use}(#${id}): this step tensor was used after endStep(). Step tensors live until the end ` +
          'of the training step; persist() or assign() what must outlive it.',
      );
    }
    throw new Error(`reference: ${use}(#${id}): unknown tensor id`);
  }

  private buffer(info: TensorInfo, kernel: KernelName): Buf {
    const storage = this.storage(info.id, kernel);
    if (storage.dtype !== info.dtype) {
      throw new Error(`reference: ${kernel}: tensor #${info.id} is ${storage.dtype}, not ${info.dtype}`);
    }
    let size = 1;
    for (const d of info.shape) size *= d;
    if (size !== storage.data.length) {
      throw new Error(`reference: ${kernel}: shape [${info.shape.join(',')}] does not match the ${storage.data.length} elements of #${info.id}`);
    }
    return { data: storage.data, shape: info.shape, dtype: info.dtype };
  }
}
