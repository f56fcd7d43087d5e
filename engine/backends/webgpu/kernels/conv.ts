// Direct convolution and pooling, NCHW, one invocation per element it produces (forward,
// input gradient, pooling and both pooling backprops) or one workgroup per filter tap (the
// filter gradient, which sums over the whole batch). Backprops gather rather than scatter: each
// dx element walks the outputs whose windows cover it, so no two invocations write one address
// and no atomics are needed (DESIGN.md §4: determinism).

import type { ConvAttrs, PoolAttrs, TensorInfo } from '../../backend.js';
import { convGeometry, type ConvGeometry } from '../../convGeometry.js';
import { check, type GpuKernel } from '../context.js';
import { Params, sizeOf, type Program } from '../program.js';

const WG = 256;
const LANES = 64;

/** Parameter words 1..17 (word 0 is the element count), read back by CONV_PARAMS. */
function convParams(count: number, g: ConvGeometry, attrs: ConvAttrs): Params {
  return new Params()
    .u(count, g.n, g.c, g.h, g.w, g.f, g.kh, g.kw, g.oh, g.ow, g.cg, g.fg, attrs.stride[0], attrs.stride[1])
    .i(attrs.pad[0], attrs.pad[2])
    .u(attrs.dilation[0], attrs.dilation[1]);
}

const CONV_PARAMS = `
  let N = pu(1u); let C = pu(2u); let H = i32(pu(3u)); let W = i32(pu(4u));
  let F = pu(5u); let KH = pu(6u); let KW = pu(7u); let OH = pu(8u); let OW = pu(9u);
  let CG = pu(10u); let FG = pu(11u); let SH = i32(pu(12u)); let SW = i32(pu(13u));
  let PT = pi(14u); let PL = pi(15u); let DH = i32(pu(16u)); let DW = i32(pu(17u));`;

/** y[n, f, oy, ox] = Σ x·w over the taps inside the image (+ bias[f] in the biased variant). */
function conv2dProgram(bias: boolean): Program {
  return {
    key: bias ? 'conv2dBias' : 'conv2d',
    inputs: bias ? ['f32', 'f32', 'f32'] : ['f32', 'f32'],
    outputs: ['f32'],
    workgroupSize: WG,
    main: `  if (index >= pu(0u)) { return; }
${CONV_PARAMS}
  let ox = index % OW;
  let oy = (index / OW) % OH;
  let f = (index / (OW * OH)) % F;
  let n = index / (OW * OH * F);
  let g = f / FG;
  var acc = 0.0;
  for (var c = 0u; c < CG; c = c + 1u) {
    let xBase = (n * C + g * CG + c) * u32(H);
    let wBase = (f * CG + c) * KH;
    for (var ky = 0u; ky < KH; ky = ky + 1u) {
      let iy = i32(oy) * SH - PT + i32(ky) * DH;
      if (iy < 0 || iy >= H) { continue; }
      for (var kx = 0u; kx < KW; kx = kx + 1u) {
        let ix = i32(ox) * SW - PL + i32(kx) * DW;
        if (ix < 0 || ix >= W) { continue; }
        acc = acc + in0[(xBase + u32(iy)) * u32(W) + u32(ix)] * in1[(wBase + ky) * KW + kx];
      }
    }
  }
  out0[index] = acc${bias ? ' + in2[f]' : ''};`,
  };
}

const CONV2D = conv2dProgram(false);
const CONV2D_BIAS = conv2dProgram(true);

/** dx[n, xc, iy, ix] = Σ over filters of its group and taps that reach it of dy·w. */
const CONV2D_BACKPROP_INPUT: Program = {
  key: 'conv2dBackpropInput',
  inputs: ['f32', 'f32'],
  outputs: ['f32'],
  workgroupSize: WG,
  main: `  if (index >= pu(0u)) { return; }
${CONV_PARAMS}
  let ix = i32(index % u32(W));
  let iy = i32((index / u32(W)) % u32(H));
  let xc = (index / u32(W * H)) % C;
  let n = index / (u32(W * H) * C);
  let g = xc / CG;
  let c = xc % CG;
  var acc = 0.0;
  for (var fo = 0u; fo < FG; fo = fo + 1u) {
    let f = g * FG + fo;
    for (var ky = 0u; ky < KH; ky = ky + 1u) {
      let ty = iy + PT - i32(ky) * DH;
      if (ty < 0 || ty % SH != 0) { continue; }
      let oy = u32(ty / SH);
      if (oy >= OH) { continue; }
      for (var kx = 0u; kx < KW; kx = kx + 1u) {
        let tx = ix + PL - i32(kx) * DW;
        if (tx < 0 || tx % SW != 0) { continue; }
        let ox = u32(tx / SW);
        if (ox >= OW) { continue; }
        acc = acc + in0[((n * F + f) * OH + oy) * OW + ox] * in1[((f * CG + c) * KH + ky) * KW + kx];
      }
    }
  }
  out0[index] = acc;`,
};

/** dw[f, c, ky, kx]: one workgroup per tap, its lanes striding over (n, oy, ox), then a tree. */
const CONV2D_BACKPROP_FILTER: Program = {
  key: 'conv2dBackpropFilter',
  inputs: ['f32', 'f32'],
  outputs: ['f32'],
  workgroupSize: LANES,
  module: `var<workgroup> red: array<f32, ${LANES}>;`,
  main: `  if (group >= pu(0u)) { return; }
${CONV_PARAMS}
  let kx = group % KW;
  let ky = (group / KW) % KH;
  let c = (group / (KW * KH)) % CG;
  let f = group / (KW * KH * CG);
  let xc = (f / FG) * CG + c;
  let per = OH * OW;
  var acc = 0.0;
  for (var j = local; j < N * per; j = j + ${LANES}u) {
    let n = j / per;
    let oy = (j / OW) % OH;
    let ox = j % OW;
    let iy = i32(oy) * SH - PT + i32(ky) * DH;
    let ix = i32(ox) * SW - PL + i32(kx) * DW;
    if (iy < 0 || iy >= H || ix < 0 || ix >= W) { continue; }
    acc = acc + in0[((n * C + xc) * u32(H) + u32(iy)) * u32(W) + u32(ix)] * in1[((n * F + f) * OH + oy) * OW + ox];
  }
  red[local] = acc;
  workgroupBarrier();
  for (var s = ${LANES / 2}u; s > 0u; s = s >> 1u) {
    if (local < s) { red[local] = red[local] + red[local + s]; }
    workgroupBarrier();
  }
  if (local == 0u) { out0[group] = red[0]; }`,
};

export const conv2dKernel: GpuKernel<'Conv2D'> = (ctx, [x, w, bias], [y], attrs) => {
  const g = convGeometry('Conv2D', x!.shape, w!.shape, y!.shape, attrs.groups);
  const count = sizeOf(y!.shape);
  if (bias) check(bias.shape.length === 1 && bias.shape[0] === g.f, `Conv2D: bias must be [${g.f}], got [${bias.shape.join(', ')}]`);
  if (count === 0) return;
  if (bias) ctx.dispatch(CONV2D_BIAS, [x!, w!, bias], [y!], convParams(count, g, attrs), Math.ceil(count / WG));
  else ctx.dispatch(CONV2D, [x!, w!], [y!], convParams(count, g, attrs), Math.ceil(count / WG));
};

export const conv2dBackpropInputKernel: GpuKernel<'Conv2DBackpropInput'> = (ctx, [dy, w], [dx], attrs) => {
  const g = convGeometry('Conv2DBackpropInput', dx!.shape, w!.shape, dy!.shape, attrs.groups);
  const count = sizeOf(dx!.shape);
  if (count > 0) ctx.dispatch(CONV2D_BACKPROP_INPUT, [dy!, w!], [dx!], convParams(count, g, attrs), Math.ceil(count / WG));
};

export const conv2dBackpropFilterKernel: GpuKernel<'Conv2DBackpropFilter'> = (ctx, [x, dy], [dw, db], attrs) => {
  const g = convGeometry('Conv2DBackpropFilter', x!.shape, dw!.shape, dy!.shape, attrs.groups);
  const count = sizeOf(dw!.shape);
  if (count > 0) ctx.dispatch(CONV2D_BACKPROP_FILTER, [x!, dy!], [dw!], convParams(count, g, attrs), count);
  if (db) conv2dBackpropBiasKernel(ctx, [dy!], [db], {});
};

/** db[f]: one workgroup per filter, its lanes striding over (n, position), then a tree. */
const CONV2D_BACKPROP_BIAS: Program = {
  key: 'conv2dBackpropBias',
  inputs: ['f32'],
  outputs: ['f32'],
  workgroupSize: LANES,
  module: `var<workgroup> red: array<f32, ${LANES}>;`,
  main: `  let F = pu(0u); let N = pu(1u); let PER = pu(2u);
  if (group >= F) { return; }
  var acc = 0.0;
  for (var j = local; j < N * PER; j = j + ${LANES}u) {
    acc = acc + in0[((j / PER) * F + group) * PER + j % PER];
  }
  red[local] = acc;
  workgroupBarrier();
  for (var s = ${LANES / 2}u; s > 0u; s = s >> 1u) {
    if (local < s) { red[local] = red[local] + red[local + s]; }
    workgroupBarrier();
  }
  if (local == 0u) { out0[group] = red[0]; }`,
};

export const conv2dBackpropBiasKernel: GpuKernel<'Conv2DBackpropBias'> = (ctx, [dy], [db]) => {
  check(dy!.shape.length === 4, `Conv2DBackpropBias: dy must be N×F×Ho×Wo, got [${dy!.shape.join(', ')}]`);
  const [n, f, oh, ow] = dy!.shape as [number, number, number, number];
  check(db!.shape.length === 1 && db!.shape[0] === f, `Conv2DBackpropBias: db must be [${f}], got [${db!.shape.join(', ')}]`);
  if (f > 0) ctx.dispatch(CONV2D_BACKPROP_BIAS, [dy!], [db!], new Params().u(f, n, oh * ow), f);
};

// ---------------------------------------------------------------------------------------------
// Pooling. Padding is outside the image: it never wins a max and an average divides by the
// window positions inside the image.

function poolParams(kernel: string, count: number, x: TensorInfo, y: TensorInfo, attrs: PoolAttrs): Params {
  check(x.shape.length === 4 && y.shape.length === 4, `${kernel}: x and y must have rank 4`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  check(y.shape[0] === n && y.shape[1] === c, `${kernel}: y must be [${n},${c},…]`);
  check(attrs.relu !== true || attrs.kind === 'max', `${kernel}: only a max pool carries a ReLU (PoolAttrs.relu)`);
  return new Params()
    .u(count, h, w, y.shape[2]!, y.shape[3]!, attrs.kernel[0], attrs.kernel[1], attrs.stride[0], attrs.stride[1])
    .i(attrs.pad[0], attrs.pad[2])
    .u(attrs.relu === true ? 1 : 0);
}

const POOL_PARAMS = `
  let H = i32(pu(1u)); let W = i32(pu(2u)); let OH = pu(3u); let OW = pu(4u);
  let KH = i32(pu(5u)); let KW = i32(pu(6u)); let SH = i32(pu(7u)); let SW = i32(pu(8u));
  let PT = pi(9u); let PL = pi(10u); let RELU = pu(11u) != 0u;`;

/**
 * Module-scope helpers: the clipped window of output (oy, ox) and the flat input index of its
 * first maximum (row-major order, strict >), or −1 for a window wholly in padding.
 */
const POOL_MODULE = `
fn firstMax(plane: u32, oy: i32, ox: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32) -> i32 {
  var best = -1;
  var bestValue = 0.0;
  for (var ky = 0; ky < KH; ky = ky + 1) {
    let iy = oy * SH - PT + ky;
    if (iy < 0 || iy >= H) { continue; }
    for (var kx = 0; kx < KW; kx = kx + 1) {
      let ix = ox * SW - PL + kx;
      if (ix < 0 || ix >= W) { continue; }
      let at = (i32(plane) * H + iy) * W + ix;
      let v = in1[at];
      if (best < 0 || v > bestValue) { best = at; bestValue = v; }
    }
  }
  return best;
}
fn insideCount(oy: i32, ox: i32, H: i32, W: i32, KH: i32, KW: i32, SH: i32, SW: i32, PT: i32, PL: i32) -> i32 {
  let y0 = oy * SH - PT;
  let x0 = ox * SW - PL;
  return max(min(y0 + KH, H) - max(y0, 0), 0) * max(min(x0 + KW, W) - max(x0, 0), 0);
}`;

function poolProgram(kind: 'max' | 'avg'): Program {
  return {
    key: `pool:${kind}`,
    inputs: ['f32'],
    outputs: ['f32'],
    workgroupSize: WG,
    main: `  if (index >= pu(0u)) { return; }
${POOL_PARAMS}
  let ox = i32(index % OW);
  let oy = i32((index / OW) % OH);
  let plane = index / (OW * OH);
  var acc = 0.0;
  var count = 0;
  for (var ky = 0; ky < KH; ky = ky + 1) {
    let iy = oy * SH - PT + ky;
    if (iy < 0 || iy >= H) { continue; }
    for (var kx = 0; kx < KW; kx = kx + 1) {
      let ix = ox * SW - PL + kx;
      if (ix < 0 || ix >= W) { continue; }
      let v = in0[(i32(plane) * H + iy) * W + ix];
      ${kind === 'max' ? 'if (count == 0 || v > acc) { acc = v; }' : 'acc = acc + v;'}
      count = count + 1;
    }
  }
  ${kind === 'max' ? 'out0[index] = select(acc, max(acc, 0.0), RELU);' : 'out0[index] = select(0.0, acc / f32(count), count > 0);'}`,
  };
}

const MAX_POOL = poolProgram('max');
const AVG_POOL = poolProgram('avg');

/**
 * The outputs whose windows cover input (iy, ix): oy from ceil((iy + PT − KH + 1) / SH) to
 * floor((iy + PT) / SH), clipped to the output; the same for x. Walked in (oy, ox) order, the
 * order the reference adds them in.
 */
const COVERING = `
  let ix = i32(index % u32(W));
  let iy = i32((index / u32(W)) % u32(H));
  let plane = index / u32(W * H);
  let ty = iy + PT;
  let tx = ix + PL;
  let oy0 = max(0, (ty - KH + SH) / SH);
  let oy1 = min(i32(OH) - 1, ty / SH);
  let ox0 = max(0, (tx - KW + SW) / SW);
  let ox1 = min(i32(OW) - 1, tx / SW);
  var acc = 0.0;`;

const MAX_POOL_BACKPROP: Program = {
  key: 'maxPoolBackprop',
  inputs: ['f32', 'f32'],
  outputs: ['f32'],
  workgroupSize: WG,
  module: POOL_MODULE,
  main: `  if (index >= pu(0u)) { return; }
${POOL_PARAMS}
${COVERING}
  for (var oy = oy0; oy <= oy1; oy = oy + 1) {
    for (var ox = ox0; ox <= ox1; ox = ox + 1) {
      // With the pool's ReLU, only a window whose maximum (this element) is positive passes dy.
      if (firstMax(plane, oy, ox, H, W, KH, KW, SH, SW, PT, PL) == i32(index) && (!RELU || in1[index] > 0.0)) {
        acc = acc + in0[(plane * OH + u32(oy)) * OW + u32(ox)];
      }
    }
  }
  out0[index] = acc;`,
};

const AVG_POOL_BACKPROP: Program = {
  key: 'avgPoolBackprop',
  inputs: ['f32'],
  outputs: ['f32'],
  workgroupSize: WG,
  module: POOL_MODULE.replace(/fn firstMax[\s\S]*?\n}\n/, ''),
  main: `  if (index >= pu(0u)) { return; }
${POOL_PARAMS}
${COVERING}
  for (var oy = oy0; oy <= oy1; oy = oy + 1) {
    for (var ox = ox0; ox <= ox1; ox = ox + 1) {
      let count = insideCount(oy, ox, H, W, KH, KW, SH, SW, PT, PL);
      acc = acc + in0[(plane * OH + u32(oy)) * OW + u32(ox)] / f32(count);
    }
  }
  out0[index] = acc;`,
};

export const poolKernel: GpuKernel<'Pool'> = (ctx, [x], [y], attrs) => {
  const count = sizeOf(y!.shape);
  const params = poolParams('Pool', count, x!, y!, attrs);
  if (count > 0) ctx.dispatch(attrs.kind === 'max' ? MAX_POOL : AVG_POOL, [x!], [y!], params, Math.ceil(count / WG));
};

export const maxPoolBackpropKernel: GpuKernel<'MaxPoolBackprop'> = (ctx, [dy, x], [dx], attrs) => {
  const count = sizeOf(dx!.shape);
  check(count === sizeOf(x!.shape), 'MaxPoolBackprop: dx must have the shape of x');
  const params = poolParams('MaxPoolBackprop', count, x!, dy!, attrs);
  if (count > 0) ctx.dispatch(MAX_POOL_BACKPROP, [dy!, x!], [dx!], params, Math.ceil(count / WG));
};

export const avgPoolBackpropKernel: GpuKernel<'AvgPoolBackprop'> = (ctx, [dy], [dx], attrs) => {
  const count = sizeOf(dx!.shape);
  const params = poolParams('AvgPoolBackprop', count, dx!, dy!, attrs);
  if (count > 0) ctx.dispatch(AVG_POOL_BACKPROP, [dy!], [dx!], params, Math.ceil(count / WG));
};
