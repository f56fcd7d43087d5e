// Reference 2-D convolution (NCHW, grouped, strided, dilated, padded) and its two backprops.
// All three walk the same (n, f, oy, ox, c, ky, kx) nest, so they agree by construction: the
// forward gathers x·w into y, the backprops scatter dy·w into dx and x·dy into dw.

import type { ConvAttrs } from '../../backend.js';
import { convGeometry, type ConvGeometry } from '../../convGeometry.js';
import type { Kernel } from './buffer.js';

/**
 * Calls `visit(xIndex, wIndex, yIndex)` for every tap that lands inside the image — the one
 * loop nest the forward and both backprops share. Padded taps contribute nothing.
 */
function forEachTap(g: ConvGeometry, attrs: ConvAttrs, visit: (xi: number, wi: number, yi: number) => void): void {
  const [sh, sw] = attrs.stride;
  const [pt, , pl] = attrs.pad;
  const [dh, dw] = attrs.dilation;
  for (let n = 0; n < g.n; n++) {
    for (let f = 0; f < g.f; f++) {
      const group = Math.floor(f / g.fg);
      for (let oy = 0; oy < g.oh; oy++) {
        for (let ox = 0; ox < g.ow; ox++) {
          const yi = ((n * g.f + f) * g.oh + oy) * g.ow + ox;
          for (let c = 0; c < g.cg; c++) {
            const xc = group * g.cg + c;
            for (let ky = 0; ky < g.kh; ky++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= g.h) continue;
              for (let kx = 0; kx < g.kw; kx++) {
                const ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= g.w) continue;
                visit(((n * g.c + xc) * g.h + iy) * g.w + ix, ((f * g.cg + c) * g.kh + ky) * g.kw + kx, yi);
              }
            }
          }
        }
      }
    }
  }
}

export const conv2dKernel: Kernel<'Conv2D'> = ([x, w, bias], [y], attrs) => {
  const g = convGeometry('Conv2D', x!.shape, w!.shape, y!.shape, attrs.groups);
  const X = x!.data;
  const W = w!.data;
  const Y = y!.data;
  Y.fill(0);
  forEachTap(g, attrs, (xi, wi, yi) => {
    Y[yi] = Y[yi]! + X[xi]! * W[wi]!;
  });
  if (bias) {
    if (bias.shape.length !== 1 || bias.shape[0] !== g.f) throw new Error(`Conv2D: bias has shape [${bias.shape.join(', ')}], expected [${g.f}]`);
    const B = bias.data;
    const plane = g.oh * g.ow;
    for (let i = 0; i < Y.length; i++) Y[i] = Y[i]! + B[Math.floor(i / plane) % g.f]!;
  }
};

export const conv2dBackpropBiasKernel: Kernel<'Conv2DBackpropBias'> = ([dy], [db]) => {
  if (dy!.shape.length !== 4) throw new Error(`Conv2DBackpropBias: dy must be N×F×Ho×Wo, got [${dy!.shape.join(', ')}]`);
  const [, f, oh, ow] = dy!.shape as [number, number, number, number];
  if (db!.shape.length !== 1 || db!.shape[0] !== f) throw new Error(`Conv2DBackpropBias: db has shape [${db!.shape.join(', ')}], expected [${f}]`);
  const DY = dy!.data;
  const DB = db!.data;
  const plane = oh * ow;
  DB.fill(0);
  for (let i = 0; i < DY.length; i++) {
    const k = Math.floor(i / plane) % f;
    DB[k] = DB[k]! + DY[i]!;
  }
};

export const conv2dBackpropInputKernel: Kernel<'Conv2DBackpropInput'> = ([dy, w], [dx], attrs) => {
  const g = convGeometry('Conv2DBackpropInput', dx!.shape, w!.shape, dy!.shape, attrs.groups);
  const DY = dy!.data;
  const W = w!.data;
  const DX = dx!.data;
  DX.fill(0);
  forEachTap(g, attrs, (xi, wi, yi) => {
    DX[xi] = DX[xi]! + DY[yi]! * W[wi]!;
  });
};

export const conv2dBackpropFilterKernel: Kernel<'Conv2DBackpropFilter'> = ([x, dy], [dw, db], attrs) => {
  const g = convGeometry('Conv2DBackpropFilter', x!.shape, dw!.shape, dy!.shape, attrs.groups);
  const X = x!.data;
  const DY = dy!.data;
  const DW = dw!.data;
  DW.fill(0);
  forEachTap(g, attrs, (xi, wi, yi) => {
    DW[wi] = DW[wi]! + X[xi]! * DY[yi]!;
  });
  if (db) conv2dBackpropBiasKernel([dy!], [db], {});
};
