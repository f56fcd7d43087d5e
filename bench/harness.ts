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
 * background threads that compete with ours where there are only two cores. On the 2-vCPU
 * build box (2026-12-06) the MLP on two threads ran 41–47k samples/s for its first 400 steps
 * and 55–67k after ~1.5 s; on one thread 34–37k from the start.
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

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarise(
  samples: readonly number[],
  row: Pick<BenchResult, 'workload' | 'impl' | 'metric' | 'unit'>,
): BenchResult {
  return { ...row, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length };
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

/**
 * Ours ÷ a peer's from interleaved rounds (`interleaved` below): in each round the median of
 * our runs over the median of the peer's; the row's median, min and max are over the rounds.
 * Runs of one round are seconds apart and share the machine's slow spells (on the 2-vCPU build
 * box they last seconds and slow everything 1.5–2×), so a per-round ratio cancels most of them
 * where a ratio of the two overall medians does not.
 */
export function pairedRatioRow(ours: BenchResult, peer: BenchResult, oursRounds: readonly (readonly number[])[], peerRounds: readonly (readonly number[])[]): BenchResult {
  const ratios = oursRounds.flatMap((o, i) => (o.length && peerRounds[i]?.length ? [median(o) / median(peerRounds[i]!)] : []));
  if (ratios.length === 0) return ratioRow(ours, peer);
  return summarise(ratios, { workload: ours.workload, impl: `${ours.impl} / ${peer.impl}`, metric: 'ratio', unit: 'x' });
}

/** One side of an interleaved comparison: the values (samples/s, GFLOPS) of `runs` runs, or null when not installed. */
export type Measure = (runs: number) => Promise<number[] | null>;

/**
 * Runs every measure in `rounds` alternating rounds of `runs / rounds` runs each and returns
 * each side's runs grouped by round (null for a side that reported itself missing, which is not
 * asked again). `.flat()` gives all of a side's runs; pairedRatioRow compares round by round.
 */
export async function interleaved<N extends string>(measures: Readonly<Record<N, Measure>>, runs: number, rounds: number): Promise<Record<N, number[][] | null>> {
  const perRound = Math.max(1, Math.round(runs / rounds));
  const names = Object.keys(measures) as N[];
  const out = Object.fromEntries(names.map((n) => [n, [] as number[][] | null])) as Record<N, number[][] | null>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const sofar = out[name];
      if (sofar === null) continue;
      const values = await measures[name](perRound);
      out[name] = values && [...sofar, values];
    }
  }
  return out;
}

export const threadLabel = (threads: number): string => `${threads} thread${threads > 1 ? 's' : ''}`;
