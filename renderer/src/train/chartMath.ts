// The numbers behind the charts, apart from drawing so they can be tested: smoothing, axis
// ranges and ticks, softmax for prediction bars, and the MNIST-style preparation of a drawn digit.

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * Exponential moving average with TensorBoard's debiasing: weight 0 returns the points as they
 * are, 0.99 a very smooth curve. Points with a non-finite y are skipped.
 */
export function smooth(points: readonly Point[], weight: number): Point[] {
  const finite = points.filter((p) => Number.isFinite(p.y));
  if (weight <= 0) return finite;
  let last = 0;
  let n = 0;
  return finite.map((p) => {
    last = last * weight + (1 - weight) * p.y;
    n++;
    return { x: p.x, y: last / (1 - weight ** n) };
  });
}

/** About `count` round tick values covering [min, max] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The y range of the series, padded a little; on a log scale only positive values count. */
export function yRange(values: readonly number[], log: boolean): [number, number] | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    const y = log ? Math.log10(v) : v;
    if (y < min) min = y;
    if (y > max) max = y;
  }
  if (min > max) return null;
  const pad = max > min ? (max - min) * 0.05 : Math.abs(max) * 0.1 || 1;
  return [min - pad, max + pad];
}

/** Probabilities from a prediction row: as they are when they already sum to 1, else softmax (logits). */
export function probabilities(row: readonly number[]): number[] {
  const sum = row.reduce((a, b) => a + b, 0);
  if (row.every((v) => v >= 0 && v <= 1) && Math.abs(sum - 1) < 1e-3) return [...row];
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/**
 * A drawing as MNIST digits are prepared: the ink's bounding box scaled to fit 20×20 (keeping its
 * aspect), then placed in a 28×28 image so its centre of mass is at the centre. `ink` is a
 * size×size grid of values in [0, 1]; the answer is 784 values in [0, 1]. Empty ink gives zeros.
 */
export function mnistFromDrawing(ink: Float32Array, size: number): Float32Array {
  const out = new Float32Array(28 * 28);
  let top = size;
  let left = size;
  let bottom = -1;
  let right = -1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (ink[y * size + x]! > 0.05) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return out;
  const w = right - left + 1;
  const h = bottom - top + 1;
  const scale = 20 / Math.max(w, h);
  const box = new Float32Array(20 * 20);
  const bw = Math.max(1, Math.round(w * scale));
  const bh = Math.max(1, Math.round(h * scale));
  // Area averaging: each target pixel is the mean of the source pixels it covers.
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      const y0 = top + Math.floor(by / scale);
      const y1 = Math.max(y0 + 1, top + Math.floor((by + 1) / scale));
      const x0 = left + Math.floor(bx / scale);
      const x1 = Math.max(x0 + 1, left + Math.floor((bx + 1) / scale));
      let sum = 0;
      let n = 0;
      for (let y = y0; y < Math.min(y1, size); y++) {
        for (let x = x0; x < Math.min(x1, size); x++) {
          sum += ink[y * size + x]!;
          n++;
        }
      }
      box[by * 20 + bx] = n > 0 ? sum / n : 0;
    }
  }
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const v = box[y * 20 + x]!;
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  const ox = Math.round(14 - (mass > 0 ? cx / mass : bw / 2) - 0.5);
  const oy = Math.round(14 - (mass > 0 ? cy / mass : bh / 2) - 0.5);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const tx = x + ox;
      const ty = y + oy;
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = Math.min(1, box[y * 20 + x]!);
    }
  }
  return out;
}
