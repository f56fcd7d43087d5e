// The sizes a convolution kernel works with, read off its tensors' shapes and checked once:
// the same for every backend that implements Conv2D and its backprops (NCHW, filters
// F × C/groups × kh × kw), so each backend keeps only its own loops.

export interface ConvGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly f: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  /** Input channels per group and filters per group. */
  readonly cg: number;
  readonly fg: number;
}

/** x: N×C×H×W, w: F×(C/groups)×kh×kw, y: N×F×Ho×Wo — throws naming the kernel when they disagree. */
export function convGeometry(kernel: string, x: readonly number[], w: readonly number[], y: readonly number[], groups: number): ConvGeometry {
  const fail = (why: string) => {
    throw new Error(`${kernel}: ${why}`);
  };
  if (x.length !== 4 || w.length !== 4 || y.length !== 4) fail('x, w and y must have rank 4');
  const [n, c, h, wd] = x as [number, number, number, number];
  const [f, cg, kh, kw] = w as [number, number, number, number];
  if (c % groups !== 0 || f % groups !== 0) fail(`channels ${c} and filters ${f} must divide into ${groups} groups`);
  if (cg !== c / groups) fail(`filter has ${cg} input channels, expected ${c / groups}`);
  if (y[0] !== n || y[1] !== f) fail(`y must be [${n},${f},…]`);
  return { n, c, h, w: wd, f, kh, kw, oh: y[2]!, ow: y[3]!, cg, fg: f / groups };
}
