// Elementwise kernels, generated from templates: Unary and Binary (one WGSL expression per
// op, NumPy broadcasting through strides), Fill, Copy, Cast and RandomUniform. One invocation
// per output element; 256-wide workgroups.

import type { BinaryOp, TensorInfo, UnaryOp } from '../../backend.js';
import { check, type GpuKernel } from '../context.js';
import { offsetFunction, Params, scalarOf, sizeOf, stridesOf, type Program } from '../program.js';

const WG = 256;

/** Largest finite float32: stands in for ±Infinity in parameters (see clip). */
const F32_MAX = 3.4028234663852886e38;

/**
 * Shared float helpers. tanh is written out because WGSL's builtin is only specified as
 * sinh/cosh (NaN for large |x| on some drivers); pow because WGSL's pow(x, y) is undefined
 * for x < 0, where NumPy (and the reference) give ±|x|^y for integral y.
 */
const MATH_HELPERS = `
fn tanh_(x: f32) -> f32 {
  let t = exp(-2.0 * abs(x));
  let r = (1.0 - t) / (1.0 + t);
  return select(r, -r, x < 0.0);
}
fn sigmoid_(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn pow_(x: f32, y: f32) -> f32 {
  if (y == 0.0) { return 1.0; }
  if (x >= 0.0) { return pow(x, y); }
  let r = pow(-x, y);
  if (y != floor(y)) { return pow(x, y); }
  let odd = abs(y - 2.0 * floor(y * 0.5)) == 1.0;
  return select(r, -r, odd);
}
`;

/** The WGSL expression of each unary op on `x` (f32); alpha and beta are pf(1) and pf(2). */
function unaryExpression(op: UnaryOp): string {
  switch (op) {
    case 'neg':
      return '-x';
    case 'abs':
      return 'abs(x)';
    case 'sign':
      return 'sign(x)';
    case 'square':
      return 'x * x';
    case 'sqrt':
      return 'sqrt(x)';
    case 'rsqrt':
      return '1.0 / sqrt(x)';
    case 'reciprocal':
      return '1.0 / x';
    case 'exp':
      return 'exp(x)';
    case 'log':
      return 'log(x)';
    case 'step':
      return 'select(0.0, 1.0, x > 0.0)';
    case 'relu':
      // select, not max: a NaN input stays NaN (x < 0 is false), as Math.max(x, 0) does.
      return 'select(x, 0.0, x < 0.0)';
    case 'sigmoid':
      return 'sigmoid_(x)';
    case 'tanh':
      return 'tanh_(x)';
    case 'softplus':
      return 'max(x, 0.0) + log(1.0 + exp(-abs(x)))';
    case 'softsign':
      return 'x / (1.0 + abs(x))';
    case 'scale':
      return 'pf(1u) * x + pf(2u)';
    case 'pow':
      return 'pow_(x, pf(1u))';
    case 'clip':
      return 'min(max(x, pf(1u)), pf(2u))';
    case 'leakyRelu':
      return 'select(pf(1u) * x, x, x > 0.0)';
    case 'elu':
      return 'select(pf(1u) * (exp(x) - 1.0), x, x > 0.0)';
  }
}

function binaryExpression(op: BinaryOp): string {
  switch (op) {
    case 'add':
      return 'a + b';
    case 'sub':
      return 'a - b';
    case 'mul':
      return 'a * b';
    case 'div':
      return 'a / b';
    case 'max':
      return 'max(a, b)';
    case 'min':
      return 'min(a, b)';
    case 'pow':
      return 'pow_(a, b)';
    case 'greater':
      return 'select(0.0, 1.0, a > b)';
    case 'greaterEqual':
      return 'select(0.0, 1.0, a >= b)';
    case 'equal':
      return 'select(0.0, 1.0, a == b)';
    case 'reluGrad':
      return 'select(0.0, a, b > 0.0)';
  }
}

const COMPARISONS: ReadonlySet<BinaryOp> = new Set(['greater', 'greaterEqual', 'equal']);

function finite(v: number): number {
  return Math.max(-F32_MAX, Math.min(F32_MAX, v));
}

export const unaryKernel: GpuKernel<'Unary'> = (ctx, [x], [out], { op, alpha, beta }) => {
  const n = sizeOf(out!.shape);
  check(sizeOf(x!.shape) === n, `Unary ${op}: ${sizeOf(x!.shape)} elements into ${n}`);
  if (n === 0) return;
  if (op === 'pow' && alpha === undefined) throw new Error('Unary pow needs alpha (the exponent)');
  const t = scalarOf(x!.dtype);
  const program: Program = {
    key: `unary:${op}:${t}`,
    inputs: [t],
    outputs: ['f32'],
    workgroupSize: WG,
    module: MATH_HELPERS,
    main: `  if (index >= pu(0u)) { return; }
  let x = f32(in0[index]);
  out0[index] = ${unaryExpression(op)};`,
  };
  // Defaults as scalarOps.ts: scale (1, 0), clip (−∞, ∞), both clamped to finite floats.
  const a = op === 'scale' ? (alpha ?? 1) : op === 'clip' ? (alpha ?? -Infinity) : (alpha ?? 0);
  const b = op === 'scale' ? (beta ?? 0) : op === 'clip' ? (beta ?? Infinity) : (beta ?? 0);
  ctx.dispatch(program, [x!], [out!], new Params().u(n).f(finite(a), finite(b)), Math.ceil(n / WG));
};

/** Strides of `shape` seen from an output of `rank` dimensions: 0 where it broadcasts. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((_, k) => (k < lead || shape[k - lead] === 1 ? 0 : own[k - lead]!));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

export const binaryKernel: GpuKernel<'Binary'> = (ctx, [a, b], [out], { op }) => {
  const shape = out!.shape;
  const n = sizeOf(shape);
  if (n === 0) return;
  const rank = shape.length;
  check(a!.shape.length <= rank && b!.shape.length <= rank, `Binary ${op}: inputs of higher rank than the output`);
  check(a!.dtype === b!.dtype, `Binary ${op}: ${a!.dtype} with ${b!.dtype}`);
  // int32 operands: comparisons stay in i32 (exact beyond 2^24); arithmetic converts to f32.
  const t = scalarOf(a!.dtype);
  const load = (name: string, off: string): string => (t === 'i32' && !COMPARISONS.has(op) ? `f32(${name}[${off}])` : `${name}[${off}]`);
  // Operands with the output's shape index directly; others go through their strides.
  const aDirect = sameShape(a!.shape, shape);
  const bDirect = sameShape(b!.shape, shape);
  const program: Program = {
    key: `binary:${op}:${t}:${rank}:${aDirect ? 'd' : 's'}${bDirect ? 'd' : 's'}`,
    inputs: [t, t],
    outputs: ['f32'],
    workgroupSize: WG,
    module: `${MATH_HELPERS}
${offsetFunction('offA', rank, '1u', `${1 + rank}u`)}
${offsetFunction('offB', rank, '1u', `${1 + 2 * rank}u`)}`,
    main: `  if (index >= pu(0u)) { return; }
  let a = ${load('in0', aDirect ? 'index' : 'offA(index)')};
  let b = ${load('in1', bDirect ? 'index' : 'offB(index)')};
  out0[index] = ${binaryExpression(op)};`,
  };
  const params = new Params().u(n).u(...shape).u(...broadcastStrides(a!.shape, shape)).u(...broadcastStrides(b!.shape, shape));
  ctx.dispatch(program, [a!, b!], [out!], params, Math.ceil(n / WG));
};

/** Bit pattern of `value` stored as `dtype`. */
export function bitsOf(value: number, dtype: TensorInfo['dtype']): number {
  if (dtype === 'int32') return value | 0;
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value, true);
  return view.getUint32(0, true);
}

const FILL: Program = {
  key: 'fill',
  inputs: [],
  outputs: ['u32'],
  workgroupSize: WG,
  main: `  if (index >= pu(0u)) { return; }
  out0[index] = pu(1u);`,
};

/** Fills the first `n` words of `out` with the bits `bits`. */
export function fillBits(ctx: Parameters<GpuKernel<'Fill'>>[0], out: TensorInfo, n: number, bits: number): void {
  if (n === 0) return;
  ctx.dispatch(FILL, [], [out], new Params().u(n, bits >>> 0), Math.ceil(n / WG));
}

export const fillKernel: GpuKernel<'Fill'> = (ctx, _inputs, [out], { value }) => {
  fillBits(ctx, out!, sizeOf(out!.shape), bitsOf(value, out!.dtype));
};

export const copyKernel: GpuKernel<'Copy'> = (ctx, [x], [out]) => {
  const n = sizeOf(out!.shape);
  check(sizeOf(x!.shape) === n, `Copy: ${sizeOf(x!.shape)} elements into ${n}`);
  check(x!.dtype === out!.dtype, `Copy: ${x!.dtype} into ${out!.dtype} (use Cast)`);
  if (n > 0) ctx.copy(x!, out!, n);
};

export const castKernel: GpuKernel<'Cast'> = (ctx, [x], [out]) => {
  const n = sizeOf(out!.shape);
  check(sizeOf(x!.shape) === n, `Cast: ${sizeOf(x!.shape)} elements into ${n}`);
  if (n === 0) return;
  if (x!.dtype === out!.dtype) {
    ctx.copy(x!, out!, n);
    return;
  }
  const from = scalarOf(x!.dtype);
  const to = scalarOf(out!.dtype);
  // f32 → i32 in WGSL truncates toward zero (and saturates), as Math.trunc does in range.
  const program: Program = {
    key: `cast:${from}:${to}`,
    inputs: [from],
    outputs: [to],
    workgroupSize: WG,
    main: `  if (index >= pu(0u)) { return; }
  out0[index] = ${to}(in0[index]);`,
  };
  ctx.dispatch(program, [x!], [out!], new Params().u(n), Math.ceil(n / WG));
};

/**
 * hash32 of engine/core/random.ts in u32 arithmetic (WGSL's u32 `*` wraps like Math.imul),
 * then u32 → f32 rounded to nearest-even by hand (WGSL leaves the rounding of inexact
 * conversions to the implementation), then × 2^−32, which is exact: bit-identical to
 * Math.fround(uniformAt(seed, offset + i)).
 */
const RANDOM_UNIFORM: Program = {
  key: 'randomUniform',
  inputs: [],
  outputs: ['f32'],
  workgroupSize: WG,
  module: `
fn hash32(seed: u32, counter: u32) -> u32 {
  var x = (counter * 0x9e3779b9u) ^ seed;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  x = x ^ (x >> 16u);
  return x;
}
fn u32ToF32(h: u32) -> f32 {
  if (h < 0x1000000u) { return f32(h); }
  let shift = firstLeadingBit(h) - 23u;
  var m = h >> shift;
  let rem = h & ((1u << shift) - 1u);
  let half = 1u << (shift - 1u);
  if (rem > half || (rem == half && (m & 1u) == 1u)) { m = m + 1u; }
  return f32(m) * exp2(f32(shift));
}`,
  main: `  if (index >= pu(0u)) { return; }
  let h = hash32(pu(1u), pu(2u) + index);
  out0[index] = u32ToF32(h) * 2.3283064365386963e-10;`,
};

export const randomUniformKernel: GpuKernel<'RandomUniform'> = (ctx, _inputs, [out], { seed, offset }) => {
  const n = sizeOf(out!.shape);
  if (n === 0) return;
  ctx.dispatch(RANDOM_UNIFORM, [], [out!], new Params().u(n, seed >>> 0, offset >>> 0), Math.ceil(n / WG));
};

/**
 * One Adam step in place (backend.ts AdamUpdate): g is bound read-only, w, m and v read-write
 * (outputs must be inputs 0, 2 and 3). Parameters: n, then beta1, 1 − beta1, beta2, 1 − beta2,
 * epsilon, stepSize, rootCorrection, weightDecay.
 */
const ADAM: Program = {
  key: 'adamUpdate',
  inputs: ['f32'],
  outputs: ['f32', 'f32', 'f32'],
  workgroupSize: WG,
  main: `  if (index >= pu(0u)) { return; }
  let w = out0[index];
  let g = in0[index] + pf(8u) * w;
  let m = pf(1u) * out1[index] + pf(2u) * g;
  let v = pf(3u) * out2[index] + pf(4u) * (g * g);
  out1[index] = m;
  out2[index] = v;
  out0[index] = w - (pf(6u) * m) / (pf(7u) * sqrt(v) + pf(5u));`,
};

export const adamUpdateKernel: GpuKernel<'AdamUpdate'> = (ctx, [w, g, m, v], outputs, attrs) => {
  check(outputs[0]?.id === w!.id && outputs[1]?.id === m!.id && outputs[2]?.id === v!.id, 'AdamUpdate: outputs must be inputs w, m and v (it updates in place)');
  const n = sizeOf(w!.shape);
  check(sizeOf(g!.shape) === n && sizeOf(m!.shape) === n && sizeOf(v!.shape) === n, 'AdamUpdate: w, g, m and v differ in size');
  if (n === 0) return;
  const { beta1, beta2, epsilon, stepSize, rootCorrection, weightDecay } = attrs;
  const params = new Params().u(n).f(beta1, 1 - beta1, beta2, 1 - beta2, epsilon, stepSize, rootCorrection, weightDecay);
  ctx.dispatch(ADAM, [g!], [w!, m!, v!], params, Math.ceil(n / WG));
};
