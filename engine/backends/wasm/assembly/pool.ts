// 2-D pooling over NCHW planes and its two backprops. Threads take whole planes (n, c), so the
// overlapping-window sums of a backprop are accumulated in one fixed order.
// Windows are clipped to the image: padding never wins a max and is not counted by avg.
// A window entirely in the padding (only possible when pad ≥ kernel) yields 0.

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

function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/** y = pool(x) for planes [p0, p1); `isMax` picks max, else avg. */
export function poolForward(prm: usize, x: usize, y: usize, p0: i32, p1: i32, isMax: i32): void {
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
        store<f32>(yp + ((<usize>oh * Wo + ow) << 2), v);
      }
    }
  }
}

/** dx for planes [p0, p1): each dy goes to the first maximum of its window (row-major scan). */
export function maxPoolBackprop(prm: usize, dy: usize, x: usize, dx: usize, p0: i32, p1: i32): void {
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
