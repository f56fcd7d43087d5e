// 2-D pooling over NCHW planes and its two backprops. Threads take whole planes (n, c), so the
// overlapping-window sums of a backprop are accumulated in one fixed order.
// Windows are clipped to the image: padding never wins a max and is not counted by avg.
// A window entirely in the padding (only possible when pad ≥ kernel) yields 0.
// The common 2×2 stride-2 unpadded max pool has SIMD paths (maxPool2x2, maxPool2x2Backprop)
// that give exactly the generic loop's results: the same comparisons in the same order.
// A max pool may carry a ReLU (P_RELU, a ReLU → MaxPool pair fused by the host: relu(max) =
// max(relu)): the forward then writes max(m, 0) as the Unary relu kernel does (NaN passes), and
// the backward sends dy only to windows whose maximum is positive, as reluGrad would have
// masked it: bit for bit the results of the two kernels apart.

// Layout of the i32 parameter block the host writes (see ../kernels/pool.ts).
const P_H = 0;
const P_W = 1;
const P_HO = 2;
const P_WO = 3;
const P_KH = 4;
const P_KW = 5;
const P_SH = 6;
const P_SW = 7;
const P_PT = 8;
const P_PL = 9;
const P_RELU = 10; // 1: a ReLU after the max pool (see above)

function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** 2×2 windows, stride 2, every window inside the image (no padding used): the SIMD paths apply. */
function is2x2(prm: usize): bool {
  return (
    param(prm, P_KH) == 2 && param(prm, P_KW) == 2 && param(prm, P_SH) == 2 && param(prm, P_SW) == 2 &&
    param(prm, P_PT) == 0 && param(prm, P_PL) == 0 &&
    2 * param(prm, P_HO) <= param(prm, P_H) && 2 * param(prm, P_WO) <= param(prm, P_W)
  );
}

/**
 * The running maximum of a 2×2 window exactly as the generic loop takes it (row-major, a later
 * element wins only when strictly greater): pmax(v, t) is `t > v ? t : v`.
 */
// @ts-ignore: decorator
@inline
function max4(e0: v128, o0: v128, e1: v128, o1: v128): v128 {
  return f32x4.pmax(f32x4.pmax(f32x4.pmax(e0, o0), e1), o1);
}

/** The maxima of four adjacent 2×2 windows whose rows start at r0 and r1 (off: byte offset). */
// @ts-ignore: decorator
@inline
function windowMax4(r0: usize, r1: usize, off: usize): v128 {
  const a0 = v128.load(r0 + off);
  const b0 = v128.load(r0 + off, 16);
  const a1 = v128.load(r1 + off);
  const b1 = v128.load(r1 + off, 16);
  const e0 = v128.shuffle<f32>(a0, b0, 0, 2, 4, 6);
  const o0 = v128.shuffle<f32>(a0, b0, 1, 3, 5, 7);
  const e1 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6);
  const o1 = v128.shuffle<f32>(a1, b1, 1, 3, 5, 7);
  return max4(e0, o0, e1, o1);
}

/** The maximum of one 2×2 window, by the generic loop's comparisons. */
// @ts-ignore: decorator
@inline
function windowMax1(r0: usize, r1: usize, off: usize): f32 {
  let v = load<f32>(r0 + off);
  let t = load<f32>(r0 + off, 4);
  if (t > v) v = t;
  t = load<f32>(r1 + off);
  if (t > v) v = t;
  t = load<f32>(r1 + off, 4);
  if (t > v) v = t;
  return v;
}

/** Max pool 2×2 stride 2 for planes [p0, p1): four outputs per step from two 8-wide row loads. */
function maxPool2x2(prm: usize, x: usize, y: usize, p0: i32, p1: i32): void {
  const H = param(prm, P_H);
  const W = param(prm, P_W);
  const Ho = param(prm, P_HO);
  const Wo = param(prm, P_WO);
  const relu = param(prm, P_RELU) != 0;
  const zero = f32x4.splat(0);
  for (let p = p0; p < p1; p++) {
    const xp = x + ((<usize>p * H * W) << 2);
    const yp = y + ((<usize>p * Ho * Wo) << 2);
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = xp + ((<usize>(2 * oh) * W) << 2);
      const r1 = r0 + (<usize>W << 2);
      const yr = yp + ((<usize>oh * Wo) << 2);
      // Blocks of four; the last one is moved back to end at Wo (recomputing a few outputs the
      // same way), so only Wo < 4 leaves a scalar tail.
      let ow = 0;
      for (; Wo >= 4 && ow < Wo; ow += 4) {
        if (ow > Wo - 4) ow = Wo - 4;
        const m = windowMax4(r0, r1, <usize>ow << 3);
        v128.store(yr + (<usize>ow << 2), relu ? f32x4.max(m, zero) : m);
      }
      for (; ow < Wo; ow++) {
        const v = windowMax1(r0, r1, <usize>ow << 3);
        store<f32>(yr + (<usize>ow << 2), relu ? max<f32>(v, 0) : v);
      }
    }
  }
}

/**
 * dx of a 2×2 stride-2 max pool for planes [p0, p1). Windows do not overlap, so each dx
 * element is written once (the row and column an odd H or W leaves out are zeroed) and dy goes
 * to the first maximum of its window, found with the generic loop's comparisons.
 */
function maxPool2x2Backprop(prm: usize, dy: usize, x: usize, dx: usize, p0: i32, p1: i32): void {
  const H = param(prm, P_H);
  const W = param(prm, P_W);
  const Ho = param(prm, P_HO);
  const Wo = param(prm, P_WO);
  const relu = param(prm, P_RELU) != 0;
  for (let p = p0; p < p1; p++) {
    const xp = x + ((<usize>p * H * W) << 2);
    const dxp = dx + ((<usize>p * H * W) << 2);
    const dyp = dy + ((<usize>p * Ho * Wo) << 2);
    maxPool2x2BackpropPlane(dyp, xp, dxp, H, W, Ho, Wo, relu);
  }
}

/**
 * One plane of maxPool2x2Backprop: dxp (H × W) from dyp (Ho × Wo) and the pool's input xp
 * (H × W); with `relu`, only windows whose maximum is positive pass dy on. Also the sparse
 * filter gradient's way to a dy that MaxPoolBackprop left unwritten (../kernels/Pool.ts: it
 * rebuilds dy a plane at a time, in cache; convSparse.ts).
 */
export function maxPool2x2BackpropPlane(dyp: usize, xp: usize, dxp: usize, H: i32, W: i32, Ho: i32, Wo: i32, relu: bool): void {
  const zero = f32x4.splat(0);
  for (let oh = 0; oh < Ho; oh++) {
    const rowOff = (<usize>(2 * oh) * W) << 2;
    const r0 = xp + rowOff;
    const r1 = r0 + (<usize>W << 2);
    const d0 = dxp + rowOff;
    const d1 = d0 + (<usize>W << 2);
    const g = dyp + ((<usize>oh * Wo) << 2);
    // Blocks of four; the last one is moved back to end at Wo (recomputing a few outputs the
    // same way), so only Wo < 4 leaves a scalar tail.
    let ow = 0;
    for (; Wo >= 4 && ow < Wo; ow += 4) {
      if (ow > Wo - 4) ow = Wo - 4;
      const off = <usize>ow << 3;
      const a0 = v128.load(r0 + off);
      const b0 = v128.load(r0 + off, 16);
      const a1 = v128.load(r1 + off);
      const b1 = v128.load(r1 + off, 16);
      const e0 = v128.shuffle<f32>(a0, b0, 0, 2, 4, 6);
      const o0 = v128.shuffle<f32>(a0, b0, 1, 3, 5, 7);
      const e1 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6);
      const o1 = v128.shuffle<f32>(a1, b1, 1, 3, 5, 7);
      // The running maximum, and which later element took it over (the last take-over wins).
      let m = e0;
      const t01 = f32x4.gt(o0, m);
      m = v128.bitselect(o0, m, t01);
      const t10 = f32x4.gt(e1, m);
      m = v128.bitselect(e1, m, t10);
      const t11 = f32x4.gt(o1, m);
      const w10 = v128.andnot(t10, t11);
      const w01 = v128.andnot(t01, v128.or(t10, t11));
      const w00 = v128.not(v128.or(t01, v128.or(t10, t11)));
      let gv = v128.load(g + (<usize>ow << 2));
      if (relu) gv = v128.and(gv, f32x4.gt(v128.bitselect(o1, m, t11), zero));
      const g00 = v128.and(gv, w00);
      const g01 = v128.and(gv, w01);
      const g10 = v128.and(gv, w10);
      const g11 = v128.and(gv, t11);
      v128.store(d0 + off, v128.shuffle<f32>(g00, g01, 0, 4, 1, 5));
      v128.store(d0 + off, v128.shuffle<f32>(g00, g01, 2, 6, 3, 7), 16);
      v128.store(d1 + off, v128.shuffle<f32>(g10, g11, 0, 4, 1, 5));
      v128.store(d1 + off, v128.shuffle<f32>(g10, g11, 2, 6, 3, 7), 16);
    }
    for (; ow < Wo; ow++) {
      const off = <usize>ow << 3;
      let v = load<f32>(r0 + off);
      let at: usize = 0;
      let t = load<f32>(r0 + off, 4);
      if (t > v) {
        v = t;
        at = 1;
      }
      t = load<f32>(r1 + off);
      if (t > v) {
        v = t;
        at = 2;
      }
      t = load<f32>(r1 + off, 4);
      if (t > v) {
        v = t;
        at = 3;
      }
      const gv: f32 = relu && !(v > 0) ? 0 : load<f32>(g + (<usize>ow << 2));
      store<f32>(d0 + off, at == 0 ? gv : 0);
      store<f32>(d0 + off, at == 1 ? gv : 0, 4);
      store<f32>(d1 + off, at == 2 ? gv : 0);
      store<f32>(d1 + off, at == 3 ? gv : 0, 4);
    }
    // An odd W leaves its last column outside every window.
    if (W > 2 * Wo) {
      store<f32>(d0 + ((<usize>(W - 1)) << 2), 0);
      store<f32>(d1 + ((<usize>(W - 1)) << 2), 0);
    }
  }
  // Rows below the last window (an odd H).
  if (H > 2 * Ho) memory.fill(dxp + ((<usize>(2 * Ho) * W) << 2), 0, (<usize>(H - 2 * Ho) * W) << 2);
}

/** y = pool(x) for planes [p0, p1); `isMax` picks max, else avg. */
export function poolForward(prm: usize, x: usize, y: usize, p0: i32, p1: i32, isMax: i32): void {
  if (isMax && is2x2(prm)) {
    maxPool2x2(prm, x, y, p0, p1);
    return;
  }
  const H = param(prm, P_H);
  const W = param(prm, P_W);
  const Ho = param(prm, P_HO);
  const Wo = param(prm, P_WO);
  const kh = param(prm, P_KH);
  const kw = param(prm, P_KW);
  const sh = param(prm, P_SH);
  const sw = param(prm, P_SW);
  const pt = param(prm, P_PT);
  const pl = param(prm, P_PL);
  const relu = isMax != 0 && param(prm, P_RELU) != 0;
  for (let p = p0; p < p1; p++) {
    const xp = x + ((<usize>p * H * W) << 2);
    const yp = y + ((<usize>p * Ho * Wo) << 2);
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * sh - pt;
      const hs = max(h0, 0);
      const he = min(h0 + kh, H);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * sw - pl;
        const ws = max(w0, 0);
        const we = min(w0 + kw, W);
        let v: f32 = 0;
        if (he > hs && we > ws) {
          if (isMax) {
            v = load<f32>(xp + ((<usize>hs * W + ws) << 2));
            for (let h = hs; h < he; h++) {
              const row = xp + ((<usize>h * W) << 2);
              for (let w = ws; w < we; w++) {
                const t = load<f32>(row + (<usize>w << 2));
                if (t > v) v = t;
              }
            }
          } else {
            let s: f32 = 0;
            for (let h = hs; h < he; h++) {
              const row = xp + ((<usize>h * W) << 2);
              for (let w = ws; w < we; w++) s += load<f32>(row + (<usize>w << 2));
            }
            v = s / <f32>((he - hs) * (we - ws));
          }
        }
        store<f32>(yp + ((<usize>oh * Wo + ow) << 2), relu ? max<f32>(v, 0) : v);
      }
    }
  }
}

/** dx for planes [p0, p1): each dy goes to the first maximum of its window (row-major scan). */
export function maxPoolBackprop(prm: usize, dy: usize, x: usize, dx: usize, p0: i32, p1: i32): void {
  if (is2x2(prm)) {
    maxPool2x2Backprop(prm, dy, x, dx, p0, p1);
    return;
  }
  const H = param(prm, P_H);
  const W = param(prm, P_W);
  const Ho = param(prm, P_HO);
  const Wo = param(prm, P_WO);
  const kh = param(prm, P_KH);
  const kw = param(prm, P_KW);
  const sh = param(prm, P_SH);
  const sw = param(prm, P_SW);
  const pt = param(prm, P_PT);
  const pl = param(prm, P_PL);
  const relu = param(prm, P_RELU) != 0;
  for (let p = p0; p < p1; p++) {
    const xp = x + ((<usize>p * H * W) << 2);
    const dxp = dx + ((<usize>p * H * W) << 2);
    const dyp = dy + ((<usize>p * Ho * Wo) << 2);
    memory.fill(dxp, 0, (<usize>H * W) << 2);
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * sh - pt;
      const hs = max(h0, 0);
      const he = min(h0 + kh, H);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * sw - pl;
        const ws = max(w0, 0);
        const we = min(w0 + kw, W);
        if (he <= hs || we <= ws) continue;
        let at = hs * W + ws;
        let v = load<f32>(xp + (<usize>at << 2));
        for (let h = hs; h < he; h++) {
          const row = xp + ((<usize>h * W) << 2);
          for (let w = ws; w < we; w++) {
            const t = load<f32>(row + (<usize>w << 2));
            if (t > v) {
              v = t;
              at = h * W + w;
            }
          }
        }
        if (relu && !(v > 0)) continue;
        const d = dxp + (<usize>at << 2);
        store<f32>(d, load<f32>(d) + load<f32>(dyp + ((<usize>oh * Wo + ow) << 2)));
      }
    }
  }
}

/** dx for planes [p0, p1): each dy is shared equally by the in-image elements of its window. */
export function avgPoolBackprop(prm: usize, dy: usize, dx: usize, p0: i32, p1: i32): void {
  const H = param(prm, P_H);
  const W = param(prm, P_W);
  const Ho = param(prm, P_HO);
  const Wo = param(prm, P_WO);
  const kh = param(prm, P_KH);
  const kw = param(prm, P_KW);
  const sh = param(prm, P_SH);
  const sw = param(prm, P_SW);
  const pt = param(prm, P_PT);
  const pl = param(prm, P_PL);
  for (let p = p0; p < p1; p++) {
    const dxp = dx + ((<usize>p * H * W) << 2);
    const dyp = dy + ((<usize>p * Ho * Wo) << 2);
    memory.fill(dxp, 0, (<usize>H * W) << 2);
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * sh - pt;
      const hs = max(h0, 0);
      const he = min(h0 + kh, H);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * sw - pl;
        const ws = max(w0, 0);
        const we = min(w0 + kw, W);
        if (he <= hs || we <= ws) continue;
        const g = load<f32>(dyp + ((<usize>oh * Wo + ow) << 2)) / <f32>((he - hs) * (we - ws));
        for (let h = hs; h < he; h++) {
          const row = dxp + ((<usize>h * W) << 2);
          for (let w = ws; w < we; w++) {
            const d = row + (<usize>w << 2);
            store<f32>(d, load<f32>(d) + g);
          }
        }
      }
    }
  }
}

/**
 * The nonzeros of a 2×2 stride-2 max pool's input gradient with a ReLU after the pool (P_RELU),
 * counted without writing it: windows of `planes` planes (H × W in x, Ho × Wo in dy) whose dy
 * is nonzero and whose maximum is positive — each puts its dy on one position. (Without the
 * ReLU that is countNonzero of dy.) Four windows a step, as maxPool2x2 takes them.
 */
export function maxPoolReluNonzero(dy: usize, x: usize, planes: i32, H: i32, W: i32, Ho: i32, Wo: i32): i32 {
  const zero = f32x4.splat(0);
  let count = 0;
  for (let p = 0; p < planes; p++) {
    const xp = x + ((<usize>p * H * W) << 2);
    const g = dy + ((<usize>p * Ho * Wo) << 2);
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = xp + ((<usize>(2 * oh) * W) << 2);
      const r1 = r0 + (<usize>W << 2);
      const gr = g + ((<usize>oh * Wo) << 2);
      let ow = 0;
      for (; ow + 4 <= Wo; ow += 4) {
        const m = windowMax4(r0, r1, <usize>ow << 3);
        const live = v128.and(f32x4.gt(m, zero), f32x4.ne(v128.load(gr + (<usize>ow << 2)), zero));
        count += <i32>popcnt(i32x4.bitmask(live));
      }
      for (; ow < Wo; ow++) {
        count += i32(windowMax1(r0, r1, <usize>ow << 3) > 0 && load<f32>(gr + (<usize>ow << 2)) != 0);
      }
    }
  }
  return count;
}
