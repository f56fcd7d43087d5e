// Throttling and coalescing for streams (DESIGN.md §5): a trainer may report a thousand times a
// second, a display shows sixty frames. Each subscription sends at most once per interval; what
// arrives in between is merged (the latest value, or appended records) and sent at the end of
// the interval, so the last value is never lost and nothing is sent that no one will see.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall time and the host's timers (Node and browsers both have them). */
export const SYSTEM_CLOCK: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/**
 * Headroom between the rate a stream promises and the rate it sends at. Sends leave at even
 * intervals, but they arrive with jitter (the receiver's event loop is busy rendering, a socket
 * batches packets), so a receiver's one-second window can catch a few sends more than the
 * sender's; 10% headroom absorbs about 150 ms of jitter at 60/s.
 */
const DELIVERY_HEADROOM = 1.1;

/**
 * The interval for a rate in updates per second: with headroom, rounded up to a whole
 * millisecond (60/s → 19 ms, about 53 sends a second), so that any one-second window at the
 * receiver holds at most `rate` updates.
 */
export function intervalFor(rate: number): number {
  return Math.ceil((1000 * DELIVERY_HEADROOM) / rate);
}

/** A value, or a function that makes it when it is time to send (expensive data: histograms). */
type Pending<T> = { readonly value: T } | { readonly make: () => T | undefined };

export class Throttle<T> {
  private lastSent = Number.NEGATIVE_INFINITY;
  private pending: Pending<T> | null = null;
  private timer: unknown = null;
  private disposed = false;

  /**
   * `send` gets each value that goes out; `merge(older, newer)` combines values that wait for the
   * same slot (by default the newer one wins).
   */
  constructor(
    private readonly interval: number,
    private readonly send: (value: T) => void,
    private readonly merge: (older: T, newer: T) => T = (_older, newer) => newer,
    private readonly clock: Clock = SYSTEM_CLOCK,
  ) {}

  /** Offers a value: sent now if the interval has passed, else merged into the next send. */
  push(value: T): void {
    if (this.disposed) return;
    const pending = this.pending;
    this.pending = pending !== null && 'value' in pending ? { value: this.merge(pending.value, value) } : { value };
    this.schedule();
  }

  /**
   * Offers a value that is computed only when it is sent: many offers within one interval cost
   * one computation. `make` may return undefined to send nothing after all.
   */
  pushLazy(make: () => T | undefined): void {
    if (this.disposed) return;
    this.pending = { make };
    this.schedule();
  }

  /** Sends what waits now, whatever the interval (the end of a run). */
  flush(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    this.emit();
  }

  dispose(): void {
    this.disposed = true;
    this.pending = null;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null) return; // the waiting send will carry this value
    const wait = this.lastSent + this.interval - this.clock.now();
    if (wait <= 0) {
      this.emit();
      return;
    }
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.emit();
    }, wait);
  }

  private emit(): void {
    const pending = this.pending;
    if (pending === null || this.disposed) return;
    this.pending = null;
    const value = 'value' in pending ? pending.value : pending.make();
    if (value === undefined) return;
    this.lastSent = this.clock.now();
    this.send(value);
  }
}
