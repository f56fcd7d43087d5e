// Reference 2-D convolution (NCHW, grouped, strided, dilated, padded) and its two backprops.
// All three walk the same (n, f, oy, ox, c, ky, kx) nest, so they agree by construction: the
// forward gathers x·w into y, the backprops scatter dy·w into dx and x·dy into dw.

import type { ConvAttrs } from '../../backend.js';
import { check, rankIs, type Buf, type Kernel } from './buffer.js';

interface ConvGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  f: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  /** Input channels per group and filters per group. */
  cg: number;
  fg: number;
}

function geometry(kernel: string, x: Buf, w: Buf, y: Buf, attrs: ConvAttrs): ConvGeometry {
  rankIs(x, 4, kernel, 'x');
  rankIs(w, 4, kernel, 'w');
  rankIs(y, 4, kernel, 'y');
  const [n, c, h, wd] = x.shape as [number, number, number, number];
  const [f, cg, kh, kw] = w.shape as [number, number, number, number];
  const { groups } = attrs;
  check(c % groups === 0 && f % groups === 0, `${kernel}: channels ${c} and filters ${f} must divide into ${groups} groups`);
  check(cg === c / groups, `${kernel}: filter has ${cg} input channels, expected ${c / groups}`);
  check(y.shape[0] === n && y.shape[1] === f, `${kernel}: y must be [${n},${f},…]`);
  return { n, c, h, w: wd, f, kh, kw, oh: y.shape[2]!, ow: y.shape[3]!, cg, fg: f / groups };
}

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

export const conv2dKernel: Kernel<'Conv2D'> = ([x, w], [y], attrs) => {
  const g = geometry('Conv2D', x!, w!, y!, attrs);
  const X = x!.data;
  const W = w!.data;
  const Y = y!.data;
  Y.fill(0);
  forEachTap(g, attrs, (xi, wi, yi) => {
    Y[yi] = Y[yi]! + X[xi]! * W[wi]!;
  });
};

export const conv2dBackpropInputKernel: Kernel<'Conv2DBackpropInput'> = ([dy, w], [dx], attrs) => {
  const g = geometry('Conv2DBackpropInput', dx!, w!, dy!, attrs);
  const DY = dy!.data;
  const W = w!.data;
  const DX = dx!.data;
  DX.fill(0);
  forEachTap(g, attrs, (xi, wi, yi) => {
    DX[xi] = DX[xi]! + DY[yi]! * W[wi]!;
  });
};

export const conv2dBackpropFilterKernel: Kernel<'Conv2DBackpropFilter'> = ([x, dy], [dw], attrs) => {
  const g = geometry('Conv2DBackpropFilter', x!, dw!, dy!, attrs);
  const X = x!.data;
  const DY = dy!.data;
  const DW = dw!.data;
  DW.fill(0);
  forEachTap(g, attrs, (xi, wi, yi) => {
    DW[wi] = DW[wi]! + X[xi]! * DY[yi]!;
  });
};
