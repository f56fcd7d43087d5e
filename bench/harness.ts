// The benchmark harness: warm up, time repeated runs, report median/min/max. Every benchmark
// in bench/ produces rows of one report shape, printed as a table and, with `--json FILE`,
// written as { "results": [ { workload, impl, metric, unit, median, min, max, runs } ] }.

import { performance } from 'node:perf_hooks';

export interface BenchResult {
  readonly workload: string;
  /** Who was measured: `netwright-protocol`, `netwright-wasm`, `pytorch`, `tfjs-wasm`, ... */
  readonly impl: string;
  readonly metric: string;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export interface Benchmark {
  readonly name: string;
  run(): Promise<BenchResult[]>;
}

export interface TimingOptions {
  readonly warmup?: number;
  readonly runs?: number;
}

/**
 * Training is timed after its warm-up steps and at least this long of warm-up (ours:
 * bench/training.ts; PyTorch: bench/peers/torch_peer.py --warmup-seconds). V8 optimises the
 * step's JavaScript (the tape, the kernels' host code) over its first few hundred steps, on
 * background threads that compete with ours where there are only two cores. On the 2-vCPU build box
 * (2026-12-06) the MLP on two threads ran 41–47k samples/s for its first 400 steps and 55–67k
 * after ~1.5 s; on one thread 34–37k from the start.
 */
export const MIN_WARMUP_MS = 2000;

/** Milliseconds per call of `fn`: `warmup` untimed calls, then `runs` timed ones. */
export async function timeMs(fn: () => unknown, { warmup = 5, runs = 25 }: TimingOptions = {}): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

export function summarise(
  samples: readonly number[],
  row: Pick<BenchResult, 'workload' | 'impl' | 'metric' | 'unit'>,
): BenchResult {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { ...row, median, min: sorted[0]!, max: sorted.at(-1)!, runs: sorted.length };
}

/**
 * A row comparing two rows of the same metric (higher is better): the ratio of medians, with
 * the range of ratios their extremes allow.
 */
export function ratioRow(ours: BenchResult, peer: BenchResult, workload = ours.workload): BenchResult {
  return {
    workload,
    impl: `${ours.impl} / ${peer.impl}`,
    metric: 'ratio',
    unit: 'x',
    median: ours.median / peer.median,
    min: ours.min / peer.max,
    max: ours.max / peer.min,
    runs: ours.runs,
  };
}

export const threadLabel = (threads: number): string => `${threads} thread${threads > 1 ? 's' : ''}`;
