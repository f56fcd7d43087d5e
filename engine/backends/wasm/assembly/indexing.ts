// Index kernels (Gather, ScatterAdd, OneHot) and RandomUniform. The host checks indices
// before Gather and ScatterAdd run. ScatterAdd threads split the row *width*, so each output
// element still sums its updates in index order.

/** out[i] = x[idx[i]] (rows of `row` 32-bit elements) for i in [i0, i1). */
export function gather(x: usize, idx: usize, out: usize, row: i32, i0: i32, i1: i32): void {
  const bytes = <usize>row << 2;
  for (let i = i0; i < i1; i++) {
    const r = load<i32>(idx + (<usize>i << 2));
    memory.copy(out + <usize>i * bytes, x + <usize>r * bytes, bytes);
  }
}

/** out (V×row) = 0, then out[idx[i]] += upd[i] for i = 0..n−1 in order; columns [c0, c1) only. */
export function scatterAdd(upd: usize, idx: usize, out: usize, n: i32, V: i32, row: i32, c0: i32, c1: i32): void {
  const width = c1 - c0;
  if (width <= 0) return;
  for (let v = 0; v < V; v++) memory.fill(out + ((<usize>v * row + c0) << 2), 0, <usize>width << 2);
  const w4 = width & ~3;
  for (let i = 0; i < n; i++) {
    const r = load<i32>(idx + (<usize>i << 2));
    const s = upd + ((<usize>i * row + c0) << 2);
    const d = out + ((<usize>r * row + c0) << 2);
    let c = 0;
    for (; c < w4; c += 4) {
      const off = <usize>c << 2;
      v128.store(d + off, f32x4.add(v128.load(d + off), v128.load(s + off)));
    }
    for (; c < width; c++) {
      const off = <usize>c << 2;
      store<f32>(d + off, load<f32>(d + off) + load<f32>(s + off));
    }
  }
}

/** out[i] = one-hot(idx[i], depth) for i in [i0, i1); an index outside [0, depth) gives zeros. */
export function oneHot(idx: usize, out: usize, depth: i32, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i++) {
    const row = out + ((<usize>i * depth) << 2);
    memory.fill(row, 0, <usize>depth << 2);
    const k = load<i32>(idx + (<usize>i << 2));
    if (k >= 0 && k < depth) store<f32>(row + (<usize>k << 2), 1);
  }
}

/**
 * out[i] = hash32(seed, offset + i) / 2^32 as float32, for i in [i0, i1): the counter hash of
 * engine/core/random.ts (lowbias32 on seed ⊕ counter·0x9e3779b9), four lanes at a time.
 * u32 → f32 rounds to nearest, and scaling by 2^−32 is exact, which is what Math.fround of the
 * float64 quotient gives.
 */
export function randomUniform(out: usize, seed: u32, offset: u32, i0: i32, i1: i32): void {
  const vseed = i32x4.splat(seed);
  const golden = i32x4.splat(0x9e3779b9);
  const m1 = i32x4.splat(0x7feb352d);
  const m2 = i32x4.splat(0x846ca68b);
  const scale = f32x4.splat(2.3283064365386963e-10); // 2^−32
  let i = i0;
  const end4 = i0 + ((i1 - i0) & ~3);
  for (; i < end4; i += 4) {
    let x = i32x4.add(i32x4.splat(offset + <u32>i), i32x4(0, 1, 2, 3));
    x = v128.xor(i32x4.mul(x, golden), vseed);
    x = v128.xor(x, i32x4.shr_u(x, 16));
    x = i32x4.mul(x, m1);
    x = v128.xor(x, i32x4.shr_u(x, 15));
    x = i32x4.mul(x, m2);
    x = v128.xor(x, i32x4.shr_u(x, 16));
    v128.store(out + (<usize>i << 2), f32x4.mul(f32x4.convert_i32x4_u(x), scale));
  }
  for (; i < i1; i++) {
    let x: u32 = (offset + <u32>i) * 0x9e3779b9;
    x ^= seed;
    x ^= x >>> 16;
    x *= 0x7feb352d;
    x ^= x >>> 15;
    x *= 0x846ca68b;
    x ^= x >>> 16;
    store<f32>(out + (<usize>i << 2), <f32>x * 2.3283064365386963e-10);
  }
}
