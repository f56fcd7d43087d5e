// MatMul: C = op(A)·op(B), tiled through workgroup memory. A workgroup of 256 invocations
// computes a 64×64 tile of C, 4×4 outputs each, staging 16-deep slices of A and B in shared
// memory; transA/transB only change how a slice is loaded (they are in the key). Each output
// sums its K products in k order, so the result does not depend on the tiling or the device.

import { check, type GpuKernel } from '../context.js';
import { Params, type Program } from '../program.js';

const TILE = 64;
const DEPTH = 16;

function program(transA: boolean, transB: boolean): Program {
  // A is M×K (K×M when transposed), B is K×N (N×K when transposed), all row-major.
  const a = transA ? 'in0[k * M + m]' : 'in0[m * K + k]';
  const b = transB ? 'in1[n * K + k]' : 'in1[k * N + n]';
  return {
    key: `matmul:${transA ? 't' : 'n'}${transB ? 't' : 'n'}`,
    inputs: ['f32', 'f32'],
    outputs: ['f32'],
    workgroupSize: 256,
    module: `
var<workgroup> As: array<f32, ${TILE * DEPTH}>;
var<workgroup> Bs: array<f32, ${TILE * DEPTH}>;
fn loadA(m: u32, k: u32, M: u32, K: u32) -> f32 {
  if (m >= M || k >= K) { return 0.0; }
  return ${a};
}
fn loadB(k: u32, n: u32, K: u32, N: u32) -> f32 {
  if (k >= K || n >= N) { return 0.0; }
  return ${b};
}`,
    main: `  let M = pu(0u);
  let N = pu(1u);
  let K = pu(2u);
  let tilesN = pu(3u);
  if (group >= pu(4u)) { return; }
  let row0 = (group / tilesN) * ${TILE}u;
  let col0 = (group % tilesN) * ${TILE}u;
  let tx = local % 16u;
  let ty = local / 16u;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i = i + 1u) { acc[i] = 0.0; }
  for (var k0 = 0u; k0 < K; k0 = k0 + ${DEPTH}u) {
    for (var l = 0u; l < 4u; l = l + 1u) {
      let e = local + l * 256u;
      // Consecutive invocations take consecutive m (resp. n): row-major loads stay coalesced
      // for the untransposed operand, which is the common case.
      let mn = e % ${TILE}u;
      let kk = e / ${TILE}u;
      As[kk * ${TILE}u + mn] = loadA(row0 + mn, k0 + kk, M, K);
      Bs[kk * ${TILE}u + mn] = loadB(k0 + kk, col0 + mn, K, N);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${DEPTH}u; kk = kk + 1u) {
      var av: array<f32, 4>;
      for (var i = 0u; i < 4u; i = i + 1u) { av[i] = As[kk * ${TILE}u + ty * 4u + i]; }
      for (var j = 0u; j < 4u; j = j + 1u) {
        let bv = Bs[kk * ${TILE}u + tx * 4u + j];
        for (var i = 0u; i < 4u; i = i + 1u) { acc[i * 4u + j] = acc[i * 4u + j] + av[i] * bv; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let m = row0 + ty * 4u + i;
    if (m >= M) { continue; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let n = col0 + tx * 4u + j;
      if (n < N) { out0[m * N + n] = acc[i * 4u + j]; }
    }
  }`,
  };
}

/**
 * The untiled variant: each invocation computes 4 adjacent outputs of one row straight from
 * global memory, no shared memory and no barriers. On SwiftShader (a CPU "GPU": workgroup
 * barriers switch between emulated invocations, and private arrays spill) it is about 10×
 * faster than the tiled kernel; on a real GPU the tiled one wins. Both sum in k order from 0,
 * so they agree bit for bit wherever the compiler contracts a·b + c the same way.
 */
function directProgram(transA: boolean, transB: boolean): Program {
  const a = transA ? 'in0[k * M + m]' : 'in0[m * K + k]';
  const b = (n: string): string => (transB ? `in1[min(${n}, N - 1u) * K + k]` : `in1[k * N + min(${n}, N - 1u)]`);
  return {
    key: `matmul:direct:${transA ? 't' : 'n'}${transB ? 't' : 'n'}`,
    inputs: ['f32', 'f32'],
    outputs: ['f32'],
    workgroupSize: 64,
    main: `  let M = pu(0u);
  let N = pu(1u);
  let K = pu(2u);
  let strips = (N + 3u) / 4u;
  if (index >= M * strips) { return; }
  let m = index / strips;
  let n0 = (index % strips) * 4u;
  var acc = vec4<f32>(0.0, 0.0, 0.0, 0.0);
  for (var k = 0u; k < K; k = k + 1u) {
    let av = ${a};
    // Columns past N read column N − 1 (in bounds) and are not stored.
    acc = acc + av * vec4<f32>(${b('n0')}, ${b('n0 + 1u')}, ${b('n0 + 2u')}, ${b('n0 + 3u')});
  }
  let row = m * N;
  out0[row + n0] = acc.x;
  if (n0 + 1u < N) { out0[row + n0 + 1u] = acc.y; }
  if (n0 + 2u < N) { out0[row + n0 + 2u] = acc.z; }
  if (n0 + 3u < N) { out0[row + n0 + 3u] = acc.w; }`,
  };
}

const PROGRAMS = new Map<string, Program>();

export const matMulKernel: GpuKernel<'MatMul'> = (ctx, [a, b], [out], { transA, transB }) => {
  check(a!.shape.length === 2 && b!.shape.length === 2, 'MatMul: operands must have rank 2');
  const [a0, a1] = a!.shape as [number, number];
  const [b0, b1] = b!.shape as [number, number];
  const M = transA ? a1 : a0;
  const K = transA ? a0 : a1;
  const N = transB ? b0 : b1;
  check(K === (transB ? b1 : b0), `MatMul: inner dimensions differ (${K} vs ${transB ? b1 : b0})`);
  check(out!.shape[0] === M && out!.shape[1] === N, `MatMul: output must be [${M},${N}]`);
  if (M === 0 || N === 0) return;
  const key = `${ctx.tiledMatMul}:${transA}:${transB}`;
  let p = PROGRAMS.get(key);
  if (p === undefined) PROGRAMS.set(key, (p = ctx.tiledMatMul ? program(transA, transB) : directProgram(transA, transB)));
  if (!ctx.tiledMatMul) {
    const strips = Math.ceil(N / 4);
    ctx.dispatch(p, [a!, b!], [out!], new Params().u(M, N, K), Math.ceil((M * strips) / 64));
    return;
  }
  const tilesN = Math.ceil(N / TILE);
  const tiles = Math.ceil(M / TILE) * tilesN;
  // K = 0 leaves the accumulators at 0: the empty sum, as the reference gives.
  ctx.dispatch(p, [a!, b!], [out!], new Params().u(M, N, K, tilesN, tiles), tiles);
};
