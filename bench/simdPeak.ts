// The ceiling every wasm kernel lives under: f32x4 multiply-adds per second on one core, with
// no memory traffic beyond L1 — twelve independent accumulator chains (enough to hide the
// add's latency), compiled by the same AssemblyScript compiler the kernels use. GEMM's GFLOPS
// read against this number, not against NumPy alone: wasm SIMD is 128 bits wide and has no
// fused multiply-add, where OpenBLAS uses 256- or 512-bit FMA (docs/performance.md).
//
// The multiplicands are loaded from memory in every iteration, as a GEMM's are. An earlier
// version multiplied two loop-invariant splats: the optimiser hoisted that product out of the
// loop, so the row timed additions alone and read twice too high on CPUs that add on as many
// ports as they multiply (Intel's Ice Lake: 43 GFLOPS, where mul + add peaks near 27).

import asc from 'assemblyscript/asc';
import { summarise, timeMs, type BenchResult } from './harness.js';

const CHAINS = 12;
const ITERATIONS = 5_000_000;
/** 4 lanes × (1 mul + 1 add) per chain and iteration. */
const FLOPS = ITERATIONS * CHAINS * 4 * 2;
/** Where the multiplicands live (the module's own memory, one page). */
const OPERANDS = 1024;

const chains = Array.from({ length: CHAINS }, (_, i) => i);
const SOURCE = `
export function peak(iterations: i32, p: usize): f32 {
  ${chains.map((i) => `let c${i} = f32x4.splat(${i});`).join('\n  ')}
  for (let i = 0; i < iterations; i++) {
    const b0 = v128.load(p);
    const b1 = v128.load(p, 16);
    const b2 = v128.load(p, 32);
    const a0 = v128.load32_splat(p, 48);
    const a1 = v128.load32_splat(p, 52);
    const a2 = v128.load32_splat(p, 56);
    const a3 = v128.load32_splat(p, 60);
    ${chains.map((i) => `c${i} = f32x4.add(c${i}, f32x4.mul(a${i % 4}, b${i % 3}));`).join('\n    ')}
  }
  let s = c0;
  ${chains.slice(1).map((i) => `s = f32x4.add(s, c${i});`).join('\n  ')}
  return f32x4.extract_lane(s, 0);
}
`;

/** GFLOPS of f32x4 mul+add on one thread, after enough calls for V8 to tier up from Liftoff to TurboFan. */
export async function simdPeakRow(workload: string): Promise<BenchResult> {
  const { binary, error, stderr } = await asc.compileString(SOURCE, { optimizeLevel: 3, runtime: 'stub', enable: ['simd'], use: ['abort='], initialMemory: 1 });
  if (error || binary === null) throw new Error(`simd peak: asc failed: ${error?.message ?? ''} ${stderr.toString()}`);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(binary)));
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  new Float32Array(memory.buffer, OPERANDS, 16).fill(0.999);
  const peak = instance.exports['peak'] as (iterations: number, p: number) => number;
  const times = await timeMs(() => void peak(ITERATIONS, OPERANDS), { warmup: 8, runs: 9 });
  return summarise(times.map((ms) => FLOPS / (ms * 1e6)), { workload, impl: 'wasm-simd128-peak', metric: 'throughput', unit: 'GFLOPS' });
}
