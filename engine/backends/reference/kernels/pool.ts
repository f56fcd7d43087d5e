// Reference pooling (max / average over NCHW windows) and the two pooling backprops.
// Padding is "outside the image": it never wins a max, and an average divides by the number of
// window positions inside the image (count_include_pad = false).

import type { PoolAttrs } from '../../backend.js';
import { check, rankIs, type Buf, type Kernel } from './buffer.js';

/**
 * Calls `visit(window, inside)` per output position, where `inside` lists the flat input
 * indices of the window that fall inside the image, in row-major (ky, kx) order.
 */
function forEachWindow(kernel: string, x: Buf, y: Buf, attrs: PoolAttrs, visit: (yi: number, inside: readonly number[]) => void): void {
  rankIs(x, 4, kernel, 'x');
  rankIs(y, 4, kernel, 'y');
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [, , oh, ow] = y.shape as [number, number, number, number];
  check(y.shape[0] === n && y.shape[1] === c, `${kernel}: y must be [${n},${c},…]`);
  const [kh, kw] = attrs.kernel;
  const [sh, sw] = attrs.stride;
  const [pt, , pl] = attrs.pad;
  const inside: number[] = [];
  for (let plane = 0; plane < n * c; plane++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        inside.length = 0;
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * sh - pt + ky;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * sw - pl + kx;
            if (ix < 0 || ix >= w) continue;
            inside.push((plane * h + iy) * w + ix);
          }
        }
        visit((plane * oh + oy) * ow + ox, inside);
      }
    }
  }
}

/** Index (into `inside`) of the first maximum: the strict `>` keeps the earliest of ties. */
function firstMax(data: Float64Array | Int32Array, inside: readonly number[]): number {
  let best = 0;
  for (let k = 1; k < inside.length; k++) if (data[inside[k]!]! > data[inside[best]!]!) best = k;
  return best;
}

/** PoolAttrs.relu: a ReLU after a max pool, in the same kernel. */
function reluOf(kernel: string, attrs: PoolAttrs): boolean {
  check(attrs.relu !== true || attrs.kind === 'max', `${kernel}: only a max pool carries a ReLU (PoolAttrs.relu)`);
  return attrs.relu === true;
}

export const poolKernel: Kernel<'Pool'> = ([x], [y], attrs) => {
  const X = x!.data;
  const Y = y!.data;
  const relu = reluOf('Pool', attrs);
  forEachWindow('Pool', x!, y!, attrs, (yi, inside) => {
    // A window entirely in padding cannot happen when each pad is smaller than the kernel (the
    // op front-end checks that); 0 is the defensive answer.
    if (inside.length === 0) {
      Y[yi] = 0;
    } else if (attrs.kind === 'max') {
      const v = X[inside[firstMax(X, inside)]!]!;
      Y[yi] = relu ? Math.max(v, 0) : v;
    } else {
      let sum = 0;
      for (const xi of inside) sum += X[xi]!;
      Y[yi] = sum / inside.length;
    }
  });
};

/**
 * inputs [dy, x]: each window's dy goes to the first maximum of its window in x — with the
 * pool's ReLU, only when that maximum is positive.
 */
export const maxPoolBackpropKernel: Kernel<'MaxPoolBackprop'> = ([dy, x], [dx], attrs) => {
  const DY = dy!.data;
  const X = x!.data;
  const DX = dx!.data;
  const relu = reluOf('MaxPoolBackprop', attrs);
  check(DX.length === X.length, 'MaxPoolBackprop: dx must have the shape of x');
  DX.fill(0);
  forEachWindow('MaxPoolBackprop', x!, dy!, attrs, (yi, inside) => {
    if (inside.length === 0) return;
    const xi = inside[firstMax(X, inside)]!;
    if (relu && !(X[xi]! > 0)) return;
    DX[xi] = DX[xi]! + DY[yi]!;
  });
};

/** inputs [dy]: each window's dy is shared equally by its positions inside the image. */
export const avgPoolBackpropKernel: Kernel<'AvgPoolBackprop'> = ([dy], [dx], attrs) => {
  const DY = dy!.data;
  const DX = dx!.data;
  DX.fill(0);
  forEachWindow('AvgPoolBackprop', dx!, dy!, attrs, (yi, inside) => {
    const share = DY[yi]! / inside.length;
    for (const xi of inside) DX[xi] = DX[xi]! + share;
  });
};
