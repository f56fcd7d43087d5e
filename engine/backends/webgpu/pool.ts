// Reuse of GPUBuffers by size class. Creating a GPUBuffer is an allocation in the driver (and
// on SwiftShader a real malloc plus bookkeeping), so tensors take buffers from free lists and
// give them back: step tensors at endStep(), persistent ones at free(). After the first step of
// a given shape, training allocates no new buffers.

/** Usage of every tensor buffer: bound as storage, copied to and from (write, read, Copy). */
export const STORAGE_USAGE = 0x80 /* STORAGE */ | 0x08 /* COPY_DST */ | 0x04 /* COPY_SRC */;

/**
 * The size class of a request: at least 16 bytes (WebGPU rejects zero-size bindings), then the
 * next of 2^k · {1, 1.25, 1.5, 1.75}, so at most 25 % is wasted and nearby sizes share buffers.
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (b <= 256) return b;
  const top = 2 ** Math.floor(Math.log2(b));
  for (const f of [1, 1.25, 1.5, 1.75, 2]) if (top * f >= b) return Math.ceil((top * f) / 16) * 16;
  return b;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private liveCount = 0;
  private liveBytes = 0;
  private freeCount = 0;
  private freeBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Free buffers beyond this many bytes are destroyed at trim(). */
    private readonly keepBytes: number,
  ) {}

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.freeCount--;
      this.freeBytes -= size;
    }
    const buffer = reused ?? this.device.createBuffer({ size, usage: STORAGE_USAGE });
    this.liveCount++;
    this.liveBytes += size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.liveCount--;
    this.liveBytes -= size;
    let list = this.free.get(size);
    if (list === undefined) this.free.set(size, (list = []));
    list.push(buffer);
    this.freeCount++;
    this.freeBytes += size;
  }

  /**
   * Destroys free buffers, largest classes first, until at most `keepBytes` are kept. Only call
   * after submitting: a buffer still named by an unsubmitted command must not be destroyed.
   */
  trim(): void {
    if (this.freeBytes <= this.keepBytes) return;
    const sizes = [...this.free.keys()].sort((a, b) => b - a);
    for (const size of sizes) {
      const list = this.free.get(size)!;
      while (list.length > 0 && this.freeBytes > this.keepBytes) {
        list.pop()!.destroy();
        this.freeCount--;
        this.freeBytes -= size;
      }
    }
  }

  stats(): { liveBuffers: number; liveBytes: number; freeBuffers: number; freeBytes: number } {
    return { liveBuffers: this.liveCount, liveBytes: this.liveBytes, freeBuffers: this.freeCount, freeBytes: this.freeBytes };
  }

  destroyAll(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.freeCount = 0;
    this.freeBytes = 0;
  }
}
