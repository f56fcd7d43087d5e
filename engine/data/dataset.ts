// What every dataset reader produces and the trainer consumes: samples as one flat float32
// block (per-sample shape, batch first when sliced), labels as class indices or as float
// targets, and the split into training and test sets the source defines.

export type Task = 'classification' | 'regression';

export interface Dataset {
  /** A short name for messages: "mnist (train)", "iris.csv". */
  readonly name: string;
  /** Shape of one sample, e.g. [1, 28, 28] or [2]. */
  readonly inputShape: readonly number[];
  readonly size: number;
  /** size × prod(inputShape) values, sample after sample, already scaled (pixels in [0, 1]). */
  readonly x: Float32Array;
  readonly task: Task;
  /** classification: a class index per sample (Int32Array); regression: size × prod(targetShape) floats. */
  readonly y: Int32Array | Float32Array;
  /** classification: class names, index = label. */
  readonly classes?: readonly string[];
  /** regression: shape of one target. */
  readonly targetShape?: readonly number[];
  /** Names of the input features when the source has them (a CSV header), for display. */
  readonly featureNames?: readonly string[];
}

export interface DatasetSplits {
  readonly train: Dataset;
  /** The source's own held-out set (MNIST's fixed 2,000, Fashion-MNIST's t10k), when it has one. */
  readonly test?: Dataset;
}

/** A dataset problem the user can act on: names the file (and row or sample) at fault. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}
