// Tensor shapes as seen by shape inference. Shapes are per sample: the batch dimension is
// implicit and leading, written "N" when shown to a user ([N,784] is a batch of 784-vectors).

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `[N,1,28,28]` — how an edge label shows a per-sample shape with its batch dimension. */
export function formatShape(shape: Shape): string {
  return `[${['N', ...shape].join(',')}]`;
}

/** Output length of a sliding window (convolution or pooling) along one axis. */
export function windowOutput(size: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation = 1): number {
  const span = dilation * (kernel - 1) + 1;
  return Math.floor((size + padBefore + padAfter - span) / stride) + 1;
}

/**
 * Padding that keeps `ceil(size / stride)` outputs ("same"), split like TensorFlow and ONNX
 * SAME_UPPER: the extra pixel, when the total is odd, goes after.
 */
export function samePadding(size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const span = dilation * (kernel - 1) + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + span - size);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
