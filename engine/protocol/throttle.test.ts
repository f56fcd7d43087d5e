// The stream throttle on a fake clock: the first value goes at once, the rest of an interval is
// merged into one send at its end, the last value is never lost, and lazy values are computed
// once per send, not once per offer.
import { describe, expect, it } from 'vitest';
import { intervalFor, Throttle, type Clock } from './throttle.js';

class FakeClock implements Clock {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
}

describe('Throttle', () => {
  it('sends at most one value per interval, the latest, and the last one always', () => {
    const clock = new FakeClock();
    const sent: [number, number][] = [];
    const throttle = new Throttle<number>(intervalFor(60), (v) => sent.push([clock.now(), v]), undefined, clock);
    // A trainer reporting 1,000 times a second for 2 seconds.
    for (let i = 0; i < 2000; i++) {
      throttle.push(i);
      clock.advance(1);
    }
    clock.advance(100);
    expect(sent.at(-1)![1]).toBe(1999);
    for (let start = 0; start < 2000; start += 50) {
      expect(sent.filter(([t]) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(60);
    }
    expect(sent.length).toBeGreaterThan(100);
    for (let i = 1; i < sent.length; i++) expect(sent[i]![0] - sent[i - 1]![0]).toBeGreaterThanOrEqual(intervalFor(60));
  });

  it('merges values waiting for one slot with the merge function', () => {
    const clock = new FakeClock();
    const sent: number[][] = [];
    const throttle = new Throttle<number[]>(100, (v) => sent.push(v), (a, b) => [...a, ...b], clock);
    throttle.push([1]);
    throttle.push([2]);
    throttle.push([3]);
    clock.advance(100);
    expect(sent).toEqual([[1], [2, 3]]);
  });

  it('computes a lazy value once per send, and may send nothing', () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    let made = 0;
    const throttle = new Throttle<number>(100, (v) => sent.push(v), undefined, clock);
    for (let i = 0; i < 50; i++) {
      throttle.pushLazy(() => ++made);
      clock.advance(1);
    }
    clock.advance(200);
    expect(made).toBe(2);
    expect(sent).toEqual([1, 2]);
    throttle.pushLazy(() => undefined);
    clock.advance(200);
    expect(sent).toEqual([1, 2]);
  });

  it('flushes at once and sends nothing after dispose', () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    const throttle = new Throttle<number>(100, (v) => sent.push(v), undefined, clock);
    throttle.push(1);
    throttle.push(2);
    throttle.flush();
    expect(sent).toEqual([1, 2]);
    throttle.push(3);
    throttle.dispose();
    clock.advance(500);
    expect(sent).toEqual([1, 2]);
  });

  it('leaves headroom below the rate, so jitter in delivery cannot push a second over it', () => {
    expect(intervalFor(60)).toBe(19);
    expect(intervalFor(10)).toBe(110);
    // Sends that fit in one second plus 150 ms of jitter.
    expect(Math.floor(1150 / intervalFor(60)) + 1).toBeLessThanOrEqual(61);
    expect(Math.floor(1000 / intervalFor(60)) + 1).toBeLessThanOrEqual(53);
  });
});
