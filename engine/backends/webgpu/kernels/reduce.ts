// Reductions: Reduce (sum/max/min over any axes), ArgMax, and the last-axis Softmax and
// LogSoftmax. Every output is computed by one invocation or one workgroup in a fixed order
// (strided lanes, then a shared-memory tree), never with atomics: results are identical run
// to run.

import type { ReduceOp } from '../../backend.js';
import { check, type GpuKernel } from '../context.js';
import { offsetFunction, Params, scalarOf, sizeOf, stridesOf, type Program } from '../program.js';

const WG = 256;
/** Lanes of a workgroup that shares one output (a power of two, for the tree). */
const LANES = 64;
/** Lowest finite float32: the identity of max (WGSL has no infinity literal). */
const LOWEST = '-3.4028234663852886e38';

function combine(op: ReduceOp, acc: string, v: string): string {
  return op === 'sum' ? `${acc} + ${v}` : op === 'max' ? `max(${acc}, ${v})` : `min(${acc}, ${v})`;
}

function identity(op: ReduceOp): string {
  return op === 'sum' ? '0.0' : op === 'max' ? LOWEST : '3.4028234663852886e38';
}

/**
 * Splits x's axes into kept and reduced runs and merges neighbours of the same kind: a run of
 * consecutive row-major axes is one axis with the run's product as size and the innermost
 * stride. Returns [kept sizes, kept strides, reduced sizes, reduced strides].
 */
function collapse(shape: readonly number[], reduced: readonly boolean[]): [number[], number[], number[], number[]] {
  const strides = stridesOf(shape);
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  let previous: boolean | null = null;
  for (let k = 0; k < shape.length; k++) {
    if (shape[k] === 1) continue;
    const [sizes, strs] = reduced[k] ? [redShape, redStrides] : [keptShape, keptStrides];
    if (previous === reduced[k]) {
      sizes[sizes.length - 1] *= shape[k]!;
      strs[strs.length - 1] = strides[k]!;
    } else {
      sizes.push(shape[k]!);
      strs.push(strides[k]!);
    }
    previous = reduced[k]!;
  }
  return [keptShape, keptStrides, redShape, redStrides];
}

/** Shared-memory tree over LANES partial results in `red`; leaves the result in red[0]. */
function tree(op: ReduceOp): string {
  return `  for (var s = ${LANES / 2}u; s > 0u; s = s >> 1u) {
    if (local < s) { red[local] = ${combine(op, 'red[local]', 'red[local + s]')}; }
    workgroupBarrier();
  }`;
}

export const reduceKernel: GpuKernel<'Reduce'> = (ctx, [x], [out], { op, axes }) => {
  const shape = x!.shape;
  const reduced = new Array<boolean>(shape.length).fill(false);
  for (const a of axes) {
    check(Number.isInteger(a) && a >= 0 && a < shape.length, `Reduce: axis ${a} out of range for rank ${shape.length}`);
    reduced[a] = true;
  }
  const outCount = sizeOf(out!.shape);
  check(outCount === sizeOf(shape.filter((_, k) => !reduced[k])), `Reduce: output has ${outCount} elements`);
  if (outCount === 0) return;
  const [ks, kst, rs, rst] = collapse(shape, reduced);
  const count = sizeOf(rs);
  const t = scalarOf(x!.dtype);
  const o = scalarOf(out!.dtype);
  const load = t === 'f32' ? 'in0[base + redOff(r)]' : 'f32(in0[base + redOff(r)])';
  const store = (v: string): string => (o === 'f32' ? v : `i32(${v})`);
  const kr = ks.length;
  const rr = rs.length;
  const params = new Params().u(outCount, count).u(...ks, ...kst, ...rs, ...rst);
  const offsets = `${offsetFunction('keptOff', kr, '2u', `${2 + kr}u`)}
${offsetFunction('redOff', rr, `${2 + 2 * kr}u`, `${2 + 2 * kr + rr}u`)}`;
  // Few outputs with long reductions (a loss, a bias gradient over a big batch): a workgroup
  // per output. Otherwise one invocation per output, which SwiftShader also prefers.
  const wide = count >= 256 && outCount < 4096;
  if (wide) {
    const program: Program = {
      key: `reduce:wide:${op}:${t}:${o}:${kr}:${rr}`,
      inputs: [t],
      outputs: [o],
      workgroupSize: LANES,
      module: `var<workgroup> red: array<f32, ${LANES}>;\n${offsets}`,
      main: `  if (group >= pu(0u)) { return; }
  let base = keptOff(group);
  var acc = ${identity(op)};
  for (var r = local; r < pu(1u); r = r + ${LANES}u) { acc = ${combine(op, 'acc', load)}; }
  red[local] = acc;
  workgroupBarrier();
${tree(op)}
  if (local == 0u) { out0[group] = ${store('red[0]')}; }`,
    };
    ctx.dispatch(program, [x!], [out!], params, outCount);
    return;
  }
  const program: Program = {
    key: `reduce:thread:${op}:${t}:${o}:${kr}:${rr}`,
    inputs: [t],
    outputs: [o],
    workgroupSize: WG,
    module: offsets,
    main: `  if (index >= pu(0u)) { return; }
  let base = keptOff(index);
  var acc = ${identity(op)};
  for (var r = 0u; r < pu(1u); r = r + 1u) { acc = ${combine(op, 'acc', load)}; }
  out0[index] = ${store('acc')};`,
  };
  ctx.dispatch(program, [x!], [out!], params, Math.ceil(outCount / WG));
};

export const argMaxKernel: GpuKernel<'ArgMax'> = (ctx, [x], [out], { axis }) => {
  const shape = x!.shape;
  check(axis >= 0 && axis < shape.length, `ArgMax: axis ${axis} out of range`);
  const n = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const outCount = sizeOf(out!.shape);
  if (outCount === 0) return;
  const t = scalarOf(x!.dtype);
  // Strict > keeps the first of equal maxima, as the reference does.
  const program: Program = {
    key: `argmax:${t}`,
    inputs: [t],
    outputs: ['i32'],
    workgroupSize: WG,
    main: `  if (index >= pu(0u)) { return; }
  let n = pu(1u);
  let inner = pu(2u);
  let base = (index / inner) * n * inner + index % inner;
  var best = 0u;
  var bestValue = in0[base];
  for (var k = 1u; k < n; k = k + 1u) {
    let v = in0[base + k * inner];
    if (v > bestValue) { best = k; bestValue = v; }
  }
  out0[index] = i32(best);`,
  };
  ctx.dispatch(program, [x!], [out!], new Params().u(outCount, n, inner), Math.ceil(outCount / WG));
};

/**
 * WGSL for one workgroup reducing the row of `n` values at `base` of in0 (both in scope): `rowMax`
 * and `rowSum` = Σ e^(x − rowMax), in the `red` workgroup array; ends on a barrier, so `red` can
 * be reused. Softmax, log-softmax and softmax cross-entropy share it.
 */
const ROW_MAX_AND_SUM = `  var m = ${LOWEST};
  for (var k = local; k < n; k = k + ${LANES}u) { m = max(m, in0[base + k]); }
  red[local] = m;
  workgroupBarrier();
${tree('max')}
  let rowMax = red[0];
  workgroupBarrier();
  var s = 0.0;
  for (var k = local; k < n; k = k + ${LANES}u) { s = s + exp(in0[base + k] - rowMax); }
  red[local] = s;
  workgroupBarrier();
${tree('sum')}
  let rowSum = red[0];
  workgroupBarrier();`;

/** One workgroup per row: a max pass, a sum-of-exponentials pass, then the outputs. */
function softmaxProgram(log: boolean): Program {
  return {
    key: `softmax:${log ? 'log' : 'plain'}`,
    inputs: ['f32'],
    outputs: ['f32'],
    workgroupSize: LANES,
    module: `var<workgroup> red: array<f32, ${LANES}>;`,
    main: `  if (group >= pu(0u)) { return; }
  let n = pu(1u);
  let base = group * n;
${ROW_MAX_AND_SUM}
  for (var k = local; k < n; k = k + ${LANES}u) {
    let shifted = in0[base + k] - rowMax;
    out0[base + k] = ${log ? 'shifted - log(rowSum)' : 'exp(shifted) / rowSum'};
  }`,
  };
}

const SOFTMAX = softmaxProgram(false);
const LOG_SOFTMAX = softmaxProgram(true);

function rowwise<K extends 'Softmax' | 'LogSoftmax'>(program: Program): GpuKernel<K> {
  return (ctx, [x], [out]) => {
    const shape = x!.shape;
    check(shape.length > 0, `${program.key}: needs at least one axis`);
    const n = shape[shape.length - 1]!;
    const rows = n === 0 ? 0 : sizeOf(shape) / n;
    if (rows === 0) return;
    ctx.dispatch(program, [x!], [out!], new Params().u(rows, n), rows);
  };
}

export const softmaxKernel = rowwise<'Softmax'>(SOFTMAX);
export const logSoftmaxKernel = rowwise<'LogSoftmax'>(LOG_SOFTMAX);

/**
 * Softmax cross-entropy forward in one workgroup: the rows in order, each reduced by the
 * workgroup (max, then Σ e^(x − max)) as in softmaxProgram; lane 0 adds each row's term in row
 * order, so the loss is the same run to run. out0: the loss, out1: the probabilities.
 */
const SOFTMAX_CROSS_ENTROPY: Program = {
  key: 'softmaxCrossEntropy',
  inputs: ['f32', 'i32'],
  outputs: ['f32', 'f32'],
  workgroupSize: LANES,
  module: `var<workgroup> red: array<f32, ${LANES}>;`,
  main: `  let rows = pu(0u);
  let n = pu(1u);
  var total = 0.0;
  for (var r = 0u; r < rows; r = r + 1u) {
    let base = r * n;
${ROW_MAX_AND_SUM}
    for (var k = local; k < n; k = k + ${LANES}u) { out1[base + k] = exp(in0[base + k] - rowMax) / rowSum; }
    let label = in1[r];
    if (local == 0u && label >= 0 && u32(label) < n) { total = total + ((in0[base + u32(label)] - rowMax) - log(rowSum)); }
  }
  if (local == 0u) { out0[0] = select(0.0, -total / f32(rows), rows > 0u); }`,
};

export const softmaxCrossEntropyKernel: GpuKernel<'SoftmaxCrossEntropy'> = (ctx, [x, labels], [loss, probabilities]) => {
  check(x!.shape.length === 2, `SoftmaxCrossEntropy: expects [N, K] rows, got [${x!.shape.join(', ')}]`);
  const [rows, n] = x!.shape as [number, number];
  check(labels!.dtype === 'int32' && sizeOf(labels!.shape) === rows, `SoftmaxCrossEntropy: labels must be int32 [${rows}]`);
  check(sizeOf(loss!.shape) === 1 && sizeOf(probabilities!.shape) === rows * n, 'SoftmaxCrossEntropy: outputs must be a scalar and [N, K]');
  ctx.dispatch(SOFTMAX_CROSS_ENTROPY, [x!, labels!], [loss!, probabilities!], new Params().u(rows, n), 1);
};

/** dx = (p − onehot(label))·dy/N, 0 on rows whose label is outside [0, K): one invocation per element. */
const SOFTMAX_CROSS_ENTROPY_BACKPROP: Program = {
  key: 'softmaxCrossEntropyBackprop',
  inputs: ['f32', 'i32', 'f32'],
  outputs: ['f32'],
  workgroupSize: WG,
  main: `  if (index >= pu(0u)) { return; }
  let n = pu(1u);
  let rows = pu(2u);
  let label = in1[index / n];
  let valid = label >= 0 && u32(label) < n;
  let hit = valid && u32(label) == index % n;
  let g = (in0[index] - select(0.0, 1.0, hit)) * (in2[0] / f32(rows));
  out0[index] = select(0.0, g, valid);`,
};

export const softmaxCrossEntropyBackpropKernel: GpuKernel<'SoftmaxCrossEntropyBackprop'> = (ctx, [p, labels, dy], [dx]) => {
  check(p!.shape.length === 2, `SoftmaxCrossEntropyBackprop: expects [N, K] rows, got [${p!.shape.join(', ')}]`);
  const [rows, n] = p!.shape as [number, number];
  check(labels!.dtype === 'int32' && sizeOf(labels!.shape) === rows, `SoftmaxCrossEntropyBackprop: labels must be int32 [${rows}]`);
  check(sizeOf(dy!.shape) === 1 && sizeOf(dx!.shape) === rows * n, 'SoftmaxCrossEntropyBackprop: takes a scalar dy and writes [N, K]');
  const total = rows * n;
  if (total === 0) return;
  ctx.dispatch(SOFTMAX_CROSS_ENTROPY_BACKPROP, [p!, labels!, dy!], [dx!], new Params().u(total, n, rows), Math.ceil(total / WG));
};
