// Numbers and small summaries for the debugger's views: compact numbers (3 significant digits),
// a tensor's values as a short list or as statistics, and histogram bins.

/** 0.000123 → "1.23e-4", 12.5 → "12.5", −0.5 → "−0.5" (a true minus sign, as the notes print it). */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const abs = Math.abs(x);
  const text = abs >= 1e-3 && abs < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/** Up to `max` values as "0.12, −0.5, …", the rest counted. */
export function formatValues(values: ArrayLike<number>, max = 8): string {
  const shown = Array.from({ length: Math.min(values.length, max) }, (_, i) => formatNumber(values[i]!));
  return values.length > max ? `${shown.join(', ')}, … (+${values.length - max})` : shown.join(', ');
}

export interface Stats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std: number;
}

export function statsOf(values: ArrayLike<number>): Stats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
    sum += values[i]!;
  }
  const mean = values.length === 0 ? 0 : sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return { min, max, mean, std: values.length === 0 ? 0 : Math.sqrt(squares / values.length) };
}

/** `bins` equal bins over [min, max] (one bin when every value is the same). */
export function histogramOf(values: ArrayLike<number>, bins = 20): { counts: number[]; min: number; max: number } {
  const { min, max } = statsOf(values);
  const counts = new Array<number>(bins).fill(0);
  const width = max - min;
  for (let i = 0; i < values.length; i++) {
    const bin = width > 0 ? Math.min(bins - 1, Math.floor(((values[i]! - min) / width) * bins)) : 0;
    counts[bin]!++;
  }
  return { counts, min, max };
}

/** Per-sample tensors up to this many values are written out (edges, panel); bigger ones summarised. */
export const SMALL_TENSOR = 64;
