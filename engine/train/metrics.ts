// Metrics (評価指標): the running loss, accuracy, per-class accuracy and confusion matrix the
// trainer reports and `evaluate` returns. Accumulators are allocated once per run and fed
// the values each batch reads back, so measuring adds no per-step allocation of its own.

import type { Values } from '../backends/backend.js';

/**
 * How a prediction row becomes a class: `argmax` over K outputs (logits or probabilities), or a
 * `threshold` on one output (a sigmoid's 0.5, logits' 0, a perceptron step's 0.5, Hinge's 0).
 */
export type ClassDecoder = { readonly kind: 'argmax' } | { readonly kind: 'threshold'; readonly at: number };

/** Metrics of one pass over a data set (an epoch's training batches, a validation or test set). */
export interface Metrics {
  /** Mean loss per sample (each batch's mean weighted by its size). */
  readonly loss: number;
  readonly samples: number;
  /** Classification only: correct / samples. */
  readonly accuracy?: number;
  /** Classification only: per true class, correct / count (null where the class never occurs). */
  readonly perClassAccuracy?: readonly (number | null)[];
}

/** Evaluation adds the confusion matrix: rows are true classes, columns predicted ones. */
export interface EvaluationMetrics extends Metrics {
  readonly confusion?: readonly (readonly number[])[];
}

/** Sums batch losses weighted by batch size, so a short last batch counts for what it holds. */
export class LossMeter {
  private sum = 0;
  private count = 0;
  add(batchMean: number, n: number): void {
    this.sum += batchMean * n;
    this.count += n;
  }
  get mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }
  get samples(): number {
    return this.count;
  }
  reset(): void {
    this.sum = 0;
    this.count = 0;
  }
}

/** A K×K confusion matrix (rows: true class, columns: predicted class). */
export class ConfusionMatrix {
  readonly classes: number;
  /** Row-major counts: counts[true·K + predicted]. */
  readonly counts: Int32Array;
  private total = 0;
  private correctCount = 0;

  constructor(classes: number) {
    if (!Number.isInteger(classes) || classes < 1) throw new Error(`ConfusionMatrix: classes must be a positive integer, got ${classes}`);
    this.classes = classes;
    this.counts = new Int32Array(classes * classes);
  }

  add(trueClass: number, predicted: number): void {
    this.counts[trueClass * this.classes + predicted]!++;
    this.total++;
    if (trueClass === predicted) this.correctCount++;
  }

  /**
   * Adds `n` predictions: rows of `width` values in `predictions` (a batch read back from the
   * backend) against `labels[start … start + n)`.
   */
  addBatch(predictions: Values, width: number, labels: Int32Array, start: number, n: number, decoder: ClassDecoder): void {
    for (let i = 0; i < n; i++) this.add(labels[start + i]!, decodeRow(predictions, i * width, width, decoder));
  }

  get samples(): number {
    return this.total;
  }

  get correct(): number {
    return this.correctCount;
  }

  accuracy(): number {
    return this.total === 0 ? Number.NaN : this.correctCount / this.total;
  }

  /** Recall per true class; null for a class with no samples. */
  perClassAccuracy(): (number | null)[] {
    const out: (number | null)[] = [];
    for (let t = 0; t < this.classes; t++) {
      let row = 0;
      for (let p = 0; p < this.classes; p++) row += this.counts[t * this.classes + p]!;
      out.push(row === 0 ? null : this.counts[t * this.classes + t]! / row);
    }
    return out;
  }

  rows(): number[][] {
    const out: number[][] = [];
    for (let t = 0; t < this.classes; t++) out.push(Array.from(this.counts.subarray(t * this.classes, (t + 1) * this.classes)));
    return out;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.correctCount = 0;
  }
}

/** The predicted class of one row of `width` values starting at `offset`. */
export function decodeRow(values: Values, offset: number, width: number, decoder: ClassDecoder): number {
  if (decoder.kind === 'threshold') return values[offset]! > decoder.at ? 1 : 0;
  // argmax, first maximum on ties (as ops.argMax); NaN never wins.
  let best = 0;
  let bestValue = values[offset]!;
  for (let k = 1; k < width; k++) {
    const v = values[offset + k]!;
    if (v > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(v))) {
      best = k;
      bestValue = v;
    }
  }
  return best;
}

/** Rounds for logs and JSON: metrics are float32 results, so 6 significant digits say it all. */
export function roundMetric(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
