// The ceiling every wasm kernel lives under: f32x4 multiply-adds per second on one core, with
// no memory traffic beyond L1, compiled by the same AssemblyScript compiler the kernels use.
// GEMM's GFLOPS read against this number, not against NumPy alone: wasm SIMD is 128 bits wide,
// where OpenBLAS uses 256- or 512-bit FMA (docs/performance.md).
//
// Two ceilings, one per build of the kernel module (engine/backends/wasm/assembly/fma.ts):
// - `wasm-simd128-peak`: a multiply then an add, twelve independent accumulator chains (enough
//   to hide the add's latency), each on its own pair of multiplicands (4 splats × 3 vectors), so
//   that no product is computed once for two chains.
// - `wasm-fma-peak`: relaxed SIMD's fused multiply-add (the runtime must support it), ten
//   chains on 2 splats × 2 vectors: few enough registers that none spill, and no two chains
//   can share work (each adds into its own accumulator).
//
// The multiplicands are loaded from memory in every iteration, as a GEMM's are. An earlier
// version multiplied two loop-invariant splats: the optimiser hoisted that product out of the
// loop, so the row timed additions alone and read twice too high on CPUs that add on as many
// ports as they multiply (Intel's Ice Lake: 43 GFLOPS, where mul + add peaks near 27).

import asc from 'assemblyscript/asc';
import { summarise, timeMs, type BenchResult } from './harness.js';

const ITERATIONS = 5_000_000;
/** Where the multiplicands live (the module's own memory, one page). */
const OPERANDS = 1024;

interface Variant {
  chains: number;
  splats: number;
  vectors: number;
  step: (c: string, a: string, b: string) => string;
}
const MUL_ADD: Variant = { chains: 12, splats: 4, vectors: 3, step: (c, a, b) => `${c} = f32x4.add(${c}, f32x4.mul(${a}, ${b}));` };
const FMA: Variant = { chains: 10, splats: 2, vectors: 2, step: (c, a, b) => `${c} = f32x4.relaxed_madd(${a}, ${b}, ${c});` };

/** Chain i multiplies splat i mod splats by vector ⌊i / splats⌋ mod vectors. */
function source(v: Variant): string {
  const chains = Array.from({ length: v.chains }, (_, i) => i);
  return `
export function peak(iterations: i32, p: usize): f32 {
  ${chains.map((i) => `let c${i} = f32x4.splat(${i});`).join('\n  ')}
  for (let i = 0; i < iterations; i++) {
    ${Array.from({ length: v.vectors }, (_, j) => `const b${j} = v128.load(p, ${16 * j});`).join('\n    ')}
    ${Array.from({ length: v.splats }, (_, j) => `const a${j} = v128.load32_splat(p, ${48 + 4 * j});`).join('\n    ')}
    ${chains.map((i) => v.step(`c${i}`, `a${i % v.splats}`, `b${Math.floor(i / v.splats) % v.vectors}`)).join('\n    ')}
  }
  let s = c0;
  ${chains.slice(1).map((i) => `s = f32x4.add(s, c${i});`).join('\n  ')}
  return f32x4.extract_lane(s, 0);
}
`;
}

/**
 * GFLOPS of f32x4 mul+add (or, `fma`, fused multiply-add: the runtime must support relaxed
 * SIMD) on one thread, after enough calls for V8 to tier up from Liftoff to TurboFan.
 */
export async function simdPeakRow(workload: string, fma = false): Promise<BenchResult> {
  const variant = fma ? FMA : MUL_ADD;
  const enable = fma ? ['simd', 'relaxed-simd'] : ['simd'];
  const { binary, error, stderr } = await asc.compileString(source(variant), { optimizeLevel: 3, runtime: 'stub', enable, use: ['abort='], initialMemory: 1 });
  if (error || binary === null) throw new Error(`simd peak: asc failed: ${error?.message ?? ''} ${stderr.toString()}`);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(binary)));
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  new Float32Array(memory.buffer, OPERANDS, 16).fill(0.999);
  const peak = instance.exports['peak'] as (iterations: number, p: number) => number;
  const times = await timeMs(() => void peak(ITERATIONS, OPERANDS), { warmup: 8, runs: 9 });
  // 4 lanes × 2 flops (a multiply and an add, fused or not) per chain and iteration.
  const flops = ITERATIONS * variant.chains * 4 * 2;
  return summarise(times.map((ms) => flops / (ms * 1e6)), { workload, impl: fma ? 'wasm-fma-peak' : 'wasm-simd128-peak', metric: 'throughput', unit: 'GFLOPS' });
}
