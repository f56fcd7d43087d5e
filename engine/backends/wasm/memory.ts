// Storage management for the wasm backend's one shared WebAssembly.Memory (DESIGN.md §4: wasm
// memory is not garbage-collected). A `Heap` hands out persistent blocks from a free list;
// an `Arena` bump-allocates step storage from chunks it takes from the heap and reclaims
// everything at endStep(). After the first steps the arena is one chunk as large as the
// biggest step seen, so a training run stops touching the heap, and memory stops growing.

/** Every block starts on a cache line (SIMD needs 16 bytes; 64 keeps rows off split lines). */
export const ALIGN = 64;

export function alignUp(n: number, align = ALIGN): number {
  return Math.ceil(n / align) * align;
}

interface Block {
  offset: number;
  size: number;
}

/**
 * A best-fit free-list allocator over [start, end) of linear memory. Bookkeeping lives here in
 * JS, not in wasm memory, so kernels can never corrupt it. `grow(bytes)` must extend the
 * memory by at least `bytes` and return the new end.
 */
export class Heap {
  /** Free blocks, sorted by offset, never adjacent (they are coalesced). */
  private readonly freeBlocks: Block[] = [];
  private readonly used = new Map<number, number>();
  private end: number;

  constructor(
    start: number,
    end: number,
    private readonly grow: (minBytes: number) => number,
  ) {
    const s = alignUp(start);
    this.end = end;
    if (end > s) this.freeBlocks.push({ offset: s, size: end - s });
  }

  /** A block of at least `bytes` (rounded up to ALIGN), aligned to ALIGN. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, alignUp(bytes));
    let best = -1;
    for (let i = 0; i < this.freeBlocks.length; i++) {
      const b = this.freeBlocks[i]!;
      if (b.size >= size && (best < 0 || b.size < this.freeBlocks[best]!.size)) best = i;
    }
    if (best < 0) {
      this.extend(size);
      best = this.freeBlocks.length - 1;
    }
    const block = this.freeBlocks[best]!;
    const offset = block.offset;
    if (block.size === size) this.freeBlocks.splice(best, 1);
    else {
      block.offset += size;
      block.size -= size;
    }
    this.used.set(offset, size);
    return offset;
  }

  free(offset: number): void {
    const size = this.used.get(offset);
    if (size === undefined) throw new Error(`wasm heap: ${offset} is not an allocated block`);
    this.used.delete(offset);
    this.insertFree(offset, size);
  }

  /** Bytes currently handed out. */
  usedBytes(): number {
    let n = 0;
    for (const size of this.used.values()) n += size;
    return n;
  }

  /** Grows memory so that the last free block can hold `size` bytes. */
  private extend(size: number): void {
    const last = this.freeBlocks.at(-1);
    const tail = last && last.offset + last.size === this.end ? last.size : 0;
    const oldEnd = this.end;
    this.end = this.grow(size - tail);
    this.insertFree(oldEnd, this.end - oldEnd);
  }

  private insertFree(offset: number, size: number): void {
    const list = this.freeBlocks;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    const prev = list[lo - 1];
    const next = list[lo];
    if (prev && prev.offset + prev.size === offset) {
      prev.size += size;
      if (next && prev.offset + prev.size === next.offset) {
        prev.size += next.size;
        list.splice(lo, 1);
      }
    } else if (next && offset + size === next.offset) {
      next.offset = offset;
      next.size += size;
    } else {
      list.splice(lo, 0, { offset, size });
    }
  }
}

/**
 * The per-step bump allocator. Chunks come from the heap; reset() reclaims every allocation at
 * once and, when the step overflowed into several chunks, replaces them by one chunk as large
 * as the step's high-water mark — so the next step of the same shape fits in one chunk and
 * allocates nothing from the heap.
 */
export class Arena {
  private chunks: Block[] = [];
  private current = 0;
  private offset = 0;
  /** Bytes used since the last reset, and the largest such total seen. */
  private stepBytes = 0;
  private highWater = 0;

  constructor(
    private readonly heap: Heap,
    private readonly minChunk = 1 << 20,
  ) {}

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, alignUp(bytes));
    this.stepBytes += size;
    for (;;) {
      const chunk = this.chunks[this.current];
      if (!chunk) break;
      if (this.offset + size <= chunk.size) {
        const ptr = chunk.offset + this.offset;
        this.offset += size;
        return ptr;
      }
      this.current++;
      this.offset = 0;
    }
    const chunkSize = Math.max(this.minChunk, size, alignUp(this.highWater - this.capacity()));
    this.chunks.push({ offset: this.heap.alloc(chunkSize), size: chunkSize });
    this.current = this.chunks.length - 1;
    this.offset = size;
    return this.chunks[this.current]!.offset;
  }

  reset(): void {
    this.highWater = Math.max(this.highWater, this.stepBytes);
    if (this.chunks.length > 1) {
      for (const c of this.chunks) this.heap.free(c.offset);
      const size = alignUp(this.highWater);
      this.chunks = [{ offset: this.heap.alloc(size), size }];
    }
    this.current = 0;
    this.offset = 0;
    this.stepBytes = 0;
  }

  /** Bytes held in chunks. */
  capacity(): number {
    let n = 0;
    for (const c of this.chunks) n += c.size;
    return n;
  }

  /** Releases every chunk back to the heap (the backend is being disposed). */
  release(): void {
    for (const c of this.chunks) this.heap.free(c.offset);
    this.chunks = [];
    this.current = 0;
    this.offset = 0;
  }
}
