// SGEMM throughput of the wasm backend (DESIGN.md §4): 512×512×512 through the public
// Backend API (`run('MatMul', …)`), with 1 and 2 threads, in GFLOPS (2·M·N·K per call). The
// naive 30-line SIMD kernel (assembly/gemm.ts sgemmV1) is measured in the same run as the
// baseline the packed kernel has to beat. NumPy's matmul (OpenBLAS, with the same number of
// threads) is the peer: issue #10 asks for at least 35% of its GFLOPS. On one thread the rows
// `wasm-simd128-peak` and, where the fma build runs, `wasm-fma-peak` (bench/simdPeak.ts) say how
// close the kernel is to the ceiling of its build, and `netwright-wasm-baseline` is the
// SIMD128 build when the default is the fma one.

import type { Backend, TensorInfo } from '../engine/backends/backend.js';
import { createWasmBackend } from '../engine/backends/wasm/index.js';
import { interleaved, pairedRatioRow, ratioRow, summarise, threadLabel, timeMs, type BenchResult, type Benchmark } from './harness.js';
import { numpyGemm } from './peers.js';
import { simdPeakRow } from './simdPeak.js';

const SIZE = 512;
const FLOPS = 2 * SIZE * SIZE * SIZE;
/**
 * Ours and NumPy's runs alternate in rounds (one NumPy process, warmed up by 10 calls, asked for
 * 5 calls a round), and the ratio is taken round by round (pairedRatioRow), so that a slow spell
 * of the machine falls on both sides: the 2-vCPU build box has spells of 1.5–2× slower
 * arithmetic lasting seconds. Ours warm up by 100 calls first (V8 keeps optimising for the first
 * few hundred milliseconds on two threads).
 */
const TIMING = { warmup: 100, runs: 50, rounds: 10 } as const;

function tensor(backend: Backend, shape: number[], seed: number): TensorInfo {
  const size = shape.reduce((a, b) => a * b, 1);
  const id = backend.alloc('float32', size, 'persistent');
  let s = seed;
  const values = Float32Array.from({ length: size }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5);
  backend.write(id, values);
  return { id, shape, dtype: 'float32' };
}

const gflops = (ms: number) => FLOPS / (ms * 1e6);

async function measure(threads: number): Promise<BenchResult[]> {
  const backend = await createWasmBackend({ threads });
  try {
    const a = tensor(backend, [SIZE, SIZE], 1);
    const b = tensor(backend, [SIZE, SIZE], 2);
    const c = tensor(backend, [SIZE, SIZE], 3);
    const workload = `sgemm ${SIZE}x${SIZE}x${SIZE} (${threadLabel(threads)})`;
    const rows: BenchResult[] = [];
    const product = () => backend.run('MatMul', [a, b], [c], { transA: false, transB: false });
    await timeMs(product, { warmup: TIMING.warmup, runs: 0 });
    const numpy = await numpyGemm(threads);
    let runs;
    try {
      runs = await interleaved(
        {
          ours: async (n) => (await timeMs(product, { warmup: 0, runs: n })).map(gflops),
          numpy: async (n) => (numpy ? numpy.measure(n) : null),
        },
        TIMING.runs,
        TIMING.rounds,
      );
    } finally {
      numpy?.close();
    }
    const ours = gflopsRow(runs['ours']!.flat(), workload, 'netwright-wasm');
    rows.push(ours);
    const numpyRounds = runs['numpy'];
    if (numpyRounds) {
      const peer = gflopsRow(numpyRounds.flat(), workload, 'numpy');
      rows.push(peer, pairedRatioRow(ours, peer, runs['ours']!, numpyRounds));
    }
    if (threads === 1) {
      // What one core can do at all in 128-bit wasm SIMD: the packed kernel's share of it.
      const fma = backend.kernels === 'fma';
      const peak = await simdPeakRow(workload, fma);
      rows.push(peak, ratioRow(ours, peak));
      if (fma) rows.push(await simdPeakRow(workload), ...(await baselineRows(workload, ours)));
    }
    const packedValues = backend.readSync(c.id);
    const naive = await timeMs(() => backend.naiveSgemm(SIZE, SIZE, SIZE, a.id, b.id, c.id), { warmup: 1, runs: threads === 1 ? 7 : 1 });
    if (threads === 1) rows.push(gflopsRow(naive.map(gflops), workload, 'netwright-wasm-naive-v1'));
    // A speed without a validation is no speed: the two versions must agree.
    const naiveValues = backend.readSync(c.id);
    for (let i = 0; i < naiveValues.length; i++) {
      if (Math.abs(packedValues[i]! - naiveValues[i]!) > 1e-4 * Math.max(1, Math.abs(naiveValues[i]!))) {
        throw new Error(`gemm bench: packed and naive SGEMM disagree at ${i}: ${packedValues[i]} vs ${naiveValues[i]}`);
      }
    }
    return rows;
  } finally {
    backend.dispose();
  }
}

/** The packed GEMM of the baseline (SIMD128) build on one thread, and the default build's ratio to it. */
async function baselineRows(workload: string, ours: BenchResult): Promise<BenchResult[]> {
  const backend = await createWasmBackend({ threads: 1, kernels: 'baseline' });
  try {
    const [a, b, c] = [tensor(backend, [SIZE, SIZE], 1), tensor(backend, [SIZE, SIZE], 2), tensor(backend, [SIZE, SIZE], 3)];
    const times = await timeMs(() => backend.run('MatMul', [a, b], [c], { transA: false, transB: false }), { warmup: TIMING.warmup, runs: TIMING.runs });
    const row = gflopsRow(times.map(gflops), workload, 'netwright-wasm-baseline');
    return [row, ratioRow(ours, row)];
  } finally {
    backend.dispose();
  }
}

/** GFLOPS = FLOPS / time per call, so the fastest call is the highest throughput. */
function gflopsRow(values: readonly number[], workload: string, impl: string): BenchResult {
  return summarise(values, { workload, impl, metric: 'throughput', unit: 'GFLOPS' });
}

export const gemmBenchmark: Benchmark = {
  name: 'gemm',
  async run() {
    return [...(await measure(1)), ...(await measure(2))];
  },
};
