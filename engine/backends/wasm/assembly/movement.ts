// Data movement for Transpose, Slice, Pad and Concat: one strided copy of 32-bit elements over
// (up to) 4 collapsed dims, with a memory.copy fast path when both inner strides are 1 and a
// cache-blocked path for 2-D transposes.

/** The 4×4 floats at src (rows `srcStride` bytes apart) transposed into dst (rows `dstStride` apart). */
// @ts-ignore: decorator
@inline
export function transpose4(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  const x0 = v128.load(src);
  const x1 = v128.load(src + srcStride);
  const x2 = v128.load(src + 2 * srcStride);
  const x3 = v128.load(src + 3 * srcStride);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + dstStride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * dst[Σ ik·tk] = src[Σ ik·sk] over the index box [r0, r1) × d1 × d2 × d3 (strides in elements).
 */
export function copy4(
  r0: i32, r1: i32, d1: i32, d2: i32, d3: i32,
  src: usize, s0: i32, s1: i32, s2: i32, s3: i32,
  dst: usize, t0: i32, t1: i32, t2: i32, t3: i32,
): void {
  const contiguous = s3 == 1 && t3 == 1;
  for (let i0 = r0; i0 < r1; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const ps = src + ((<usize>i0 * s0 + <usize>i1 * s1 + <usize>i2 * s2) << 2);
        const pd = dst + ((<usize>i0 * t0 + <usize>i1 * t1 + <usize>i2 * t2) << 2);
        if (contiguous) {
          memory.copy(pd, ps, <usize>d3 << 2);
        } else {
          const ss = <usize>s3 << 2;
          const ts = <usize>t3 << 2;
          for (let i3 = 0; i3 < d3; i3++) store<u32>(pd + <usize>i3 * ts, load<u32>(ps + <usize>i3 * ss));
        }
      }
    }
  }
}

/**
 * Batched 2-D transpose: for b in [b0, b1), dst[b] (cols×rows) = src[b] (rows×cols)ᵀ, in 4×4
 * SIMD blocks inside 32×32 tiles so both sides stay in cache.
 */
export function transpose2(src: usize, dst: usize, rows: i32, cols: i32, b0: i32, b1: i32): void {
  const plane = <usize>rows * cols;
  const T = 32;
  for (let b = b0; b < b1; b++) {
    const s = src + ((<usize>b * plane) << 2);
    const d = dst + ((<usize>b * plane) << 2);
    for (let r0 = 0; r0 < rows; r0 += T) {
      const r1 = min(rows, r0 + T);
      for (let c0 = 0; c0 < cols; c0 += T) {
        const c1 = min(cols, c0 + T);
        let r = r0;
        for (; r + 4 <= r1; r += 4) {
          let c = c0;
          for (; c + 4 <= c1; c += 4) {
            transpose4(s + ((<usize>r * cols + c) << 2), <usize>cols << 2, d + ((<usize>c * rows + r) << 2), <usize>rows << 2);
          }
          for (; c < c1; c++) {
            for (let k = 0; k < 4; k++) {
              store<u32>(d + ((<usize>c * rows + r + k) << 2), load<u32>(s + ((<usize>(r + k) * cols + c) << 2)));
            }
          }
        }
        for (; r < r1; r++) {
          for (let c = c0; c < c1; c++) store<u32>(d + ((<usize>c * rows + r) << 2), load<u32>(s + ((<usize>r * cols + c) << 2)));
        }
      }
    }
  }
}
