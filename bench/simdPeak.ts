// The ceiling every wasm kernel lives under: f32x4 multiply-adds per second on one core, with
// no memory traffic at all — twelve independent accumulator chains (enough to hide the add's
// latency), compiled by the same AssemblyScript compiler the kernels use. GEMM's GFLOPS read
// against this number, not against NumPy alone: wasm SIMD is 128 bits wide, where OpenBLAS
// uses 256-bit FMA on this CPU (docs/performance.md).

import asc from 'assemblyscript/asc';
import { summarise, timeMs, type BenchResult } from './harness.js';

const CHAINS = 12;
const ITERATIONS = 5_000_000;
/** 4 lanes × (1 mul + 1 add) per chain and iteration. */
const FLOPS = ITERATIONS * CHAINS * 4 * 2;

const chains = Array.from({ length: CHAINS }, (_, i) => i);
const SOURCE = `
export function peak(iterations: i32, x: f32): f32 {
  const m = f32x4.splat(x);
  const a = f32x4.splat(0.999);
  ${chains.map((i) => `let c${i} = f32x4.splat(${i});`).join('\n  ')}
  for (let i = 0; i < iterations; i++) {
    ${chains.map((i) => `c${i} = f32x4.add(c${i}, f32x4.mul(a, m));`).join('\n    ')}
  }
  let s = c0;
  ${chains.slice(1).map((i) => `s = f32x4.add(s, c${i});`).join('\n  ')}
  return f32x4.extract_lane(s, 0);
}
`;

/** GFLOPS of f32x4 mul+add on one thread, after enough calls for V8 to tier up from Liftoff to TurboFan. */
export async function simdPeakRow(workload: string): Promise<BenchResult> {
  const { binary, error, stderr } = await asc.compileString(SOURCE, { optimizeLevel: 3, runtime: 'stub', enable: ['simd'], use: ['abort='] });
  if (error || binary === null) throw new Error(`simd peak: asc failed: ${error?.message ?? ''} ${stderr.toString()}`);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(binary)));
  const peak = instance.exports['peak'] as (iterations: number, x: number) => number;
  const times = await timeMs(() => void peak(ITERATIONS, 0.5), { warmup: 8, runs: 9 });
  return summarise(times.map((ms) => FLOPS / (ms * 1e6)), { workload, impl: 'wasm-simd128-peak', metric: 'throughput', unit: 'GFLOPS' });
}
