// The backend interface: the one narrow surface every backend (reference, wasm, webgpu)
// implements. A backend owns tensor storage and runs a small, fixed set of kernels on it;
// everything else — ops, gradients, layers, training — is written once, above this line,
// in terms of these kernels (STYLE.md: "a small backend surface").

export type DType = 'float32' | 'int32';

/** Values as they come back from a backend. The reference backend keeps floats in float64. */
export type Values = Float32Array | Float64Array | Int32Array;

/** A backend's handle to one tensor's storage; opaque to everything above the backend. */
export type DataId = number & { readonly __dataId: unique symbol };

/**
 * How long storage lives. `step` storage (intermediates, gradients) is reclaimed all at once by
 * `endStep()` — a per-step arena, so training does not grow memory. `persistent` storage
 * (parameters, optimizer state, datasets) lives until `free()`.
 */
export type Lifetime = 'step' | 'persistent';

/** What a kernel sees of a tensor: its storage, shape and type. */
export interface TensorInfo {
  readonly id: DataId;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface Backend {
  readonly name: BackendName;
  alloc(dtype: DType, size: number, lifetime: Lifetime): DataId;
  /** Releases persistent storage. Step storage is released by endStep(). */
  free(id: DataId): void;
  write(id: DataId, values: ArrayLike<number>): void;
  /** A copy of the values. CPU backends answer at once; GPU backends after the queue drains. */
  read(id: DataId): Promise<Values>;
  /** Synchronous read, where the backend can (reference, wasm). */
  readSync?(id: DataId): Values;
  /**
   * Runs one kernel. The caller has allocated `outputs` with the right shapes; kernels never
   * allocate tensors the caller can see.
   */
  run<K extends KernelName>(kernel: K, inputs: readonly TensorInfo[], outputs: readonly TensorInfo[], attrs: KernelAttrs[K]): void;
  /** Reclaims every `step` allocation made since the last call. */
  endStep(): void;
  /** Bytes of memory the backend holds (for leak tests and the memory panel). */
  memoryBytes(): number;
  dispose(): void;
}

export type BackendName = 'reference' | 'wasm' | 'webgpu';

// ---------------------------------------------------------------------------------------------
// The kernel contract (tfjs `kernel_names.ts` style): each kernel's name and attributes.
// Inputs and outputs are listed in the comment on each entry; shapes follow NumPy conventions
// and images are NCHW. Every backend implements every kernel; the shared op suite checks each
// against `reference`.

export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'square'
  | 'sqrt'
  | 'rsqrt'
  | 'reciprocal'
  | 'exp'
  | 'log'
  | 'step' // 1 where x > 0, else 0 (Heaviside; also ReLU's derivative)
  | 'relu'
  | 'sigmoid'
  | 'tanh'
  | 'softplus' // log(1 + e^x), computed stably
  | 'softsign' // x / (1 + |x|)
  | 'scale' // alpha·x + beta
  | 'pow' // x^alpha
  | 'clip' // min(max(x, alpha), beta)
  | 'leakyRelu' // x > 0 ? x : alpha·x
  | 'elu'; // x > 0 ? x : alpha·(e^x − 1)

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'max'
  | 'min'
  | 'pow'
  | 'greater' // 1 or 0, as float32
  | 'greaterEqual'
  | 'equal'
  | 'reluGrad'; // a where b > 0, else 0: ReLU's backward in one pass (a = dy, b = x)

export type ReduceOp = 'sum' | 'max' | 'min';

export interface KernelAttrs {
  /** outputs: [out]. Sets every element to `value`. */
  Fill: { value: number };
  /** inputs: [x]; outputs: [out] of the same size. Copies (into persistent storage, say). */
  Copy: Record<string, never>;
  /** inputs: [x]; outputs: [out] float32 or int32. Converts the dtype (float → int truncates). */
  Cast: Record<string, never>;
  /** inputs: [x]; outputs: [out], same shape. */
  Unary: { op: UnaryOp; alpha?: number; beta?: number };
  /** inputs: [a, b]; outputs: [out] of the broadcast shape (NumPy rules). */
  Binary: { op: BinaryOp };
  /** inputs: [x]; outputs: [out] with `axes` removed (or kept as 1 when keepDims). */
  Reduce: { op: ReduceOp; axes: readonly number[]; keepDims: boolean };
  /** inputs: [x]; outputs: [out] int32 without `axis`. First index of the maximum. */
  ArgMax: { axis: number };
  /** inputs: [a (M×K, or K×M when transA), b (K×N, or N×K when transB)]; outputs: [out M×N]. */
  MatMul: { transA: boolean; transB: boolean };
  /** inputs: [x]; outputs: [out], softmax along the last axis (max-subtracted). */
  Softmax: Record<string, never>;
  /** inputs: [x]; outputs: [out], log-softmax along the last axis. */
  LogSoftmax: Record<string, never>;
  /**
   * inputs: [x N×C×H×W, w F×(C/groups)×kh×kw, bias F (optional)]; outputs: [y N×F×Ho×Wo], plus
   * bias[f] at every position of filter f when given (the layer's bias, fused).
   */
  Conv2D: ConvAttrs;
  /** inputs: [dy N×F×Ho×Wo, w]; outputs: [dx N×C×H×W]. */
  Conv2DBackpropInput: ConvAttrs;
  /** inputs: [x, dy]; outputs: [dw F×(C/groups)×kh×kw, db F (optional: as Conv2DBackpropBias)]. */
  Conv2DBackpropFilter: ConvAttrs;
  /** inputs: [dy N×F×Ho×Wo]; outputs: [db F], the sum of dy over samples and positions. */
  Conv2DBackpropBias: Record<string, never>;
  /** inputs: [x N×C×H×W]; outputs: [y N×C×Ho×Wo]. Padding never wins a max; avg divides by the window inside the image. */
  Pool: PoolAttrs;
  /** inputs: [dy, x]; outputs: [dx]. The gradient goes to the first maximum of each window. */
  MaxPoolBackprop: PoolAttrs;
  /** inputs: [dy]; outputs: [dx]. */
  AvgPoolBackprop: PoolAttrs;
  /** inputs: [x]; outputs: [out] with axes permuted. */
  Transpose: { perm: readonly number[] };
  /** inputs: [x]; outputs: [out] = x[begin : begin + out.shape]. */
  Slice: { begin: readonly number[] };
  /** inputs: [x]; outputs: [out], x placed at `before` inside zeros (or `value`). */
  Pad: { before: readonly number[]; value: number };
  /** inputs: [x0, x1, ...]; outputs: [out], joined along `axis`. */
  Concat: { axis: number };
  /** inputs: [x (V×…), indices int32]; outputs: [out indices.shape × …], rows of x. */
  Gather: Record<string, never>;
  /** inputs: [updates (indices.shape × …), indices int32]; outputs: [out V×…] = zeros, rows summed in. */
  ScatterAdd: Record<string, never>;
  /** inputs: [indices int32]; outputs: [out indices.shape × depth] float32. */
  OneHot: { depth: number };
  /**
   * outputs: [out] float32 uniform in [0, 1): element i is hash(seed, offset + i) / 2^32 with
   * the counter hash of engine/core/random.ts, so every backend and thread count gives the
   * same bits.
   */
  RandomUniform: { seed: number; offset: number };
  /**
   * inputs: [w, g, m, v]; outputs: [w, m, v] — the same tensors as inputs 0, 2 and 3, updated
   * in place (float32, one size). One Adam step in one pass: with g' = g + weightDecay·w,
   *   m ← beta1·m + (1 − beta1)·g',   v ← beta2·v + (1 − beta2)·g'²,
   *   w ← w − stepSize·m / (rootCorrection·√v + epsilon),
   * where the optimizer passes stepSize = lr / (1 − beta1ᵗ), rootCorrection = 1 / √(1 − beta2ᵗ).
   */
  AdamUpdate: AdamAttrs;
  /**
   * inputs: [logits N×K, labels int32 N]; outputs: [loss [], probabilities N×K]. Softmax
   * cross-entropy in one kernel: probabilities = softmax of each row (max-subtracted), loss =
   * −(1/N)·Σᵢ log softmax(logitsᵢ)[labelsᵢ], row terms added in row order; a label outside
   * [0, K) adds 0.
   */
  SoftmaxCrossEntropy: Record<string, never>;
  /**
   * inputs: [probabilities N×K, labels int32 N, dy []]; outputs: [dlogits N×K] =
   * (probabilities − onehot(labels))·dy/N, and 0 on rows whose label is outside [0, K).
   */
  SoftmaxCrossEntropyBackprop: Record<string, never>;
}

export type KernelName = keyof KernelAttrs;

export interface ConvAttrs {
  readonly stride: readonly [number, number];
  /** Padding [top, bottom, left, right]. */
  readonly pad: readonly [number, number, number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
}

export interface AdamAttrs {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly stepSize: number;
  readonly rootCorrection: number;
  /** Coupled L2 (PyTorch's Adam weight_decay); 0 for none. */
  readonly weightDecay: number;
}

export interface PoolAttrs {
  readonly kind: 'max' | 'avg';
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  /** Padding [top, bottom, left, right]. */
  readonly pad: readonly [number, number, number, number];
  /**
   * Max pools only: a ReLU after the pool, in the same pass — Pool writes max(y, 0) (a NaN
   * passes, as Unary relu's does) and MaxPoolBackprop sends dy only to windows whose maximum is
   * positive (reluGrad's mask). The training model fuses ReLU → MaxPool pairs this way
   * (train/model.ts, ForwardOptions.fuse).
   */
  readonly relu?: boolean;
}

export const KERNEL_NAMES: readonly KernelName[] = [
  'Fill', 'Copy', 'Cast', 'Unary', 'Binary', 'Reduce', 'ArgMax', 'MatMul', 'Softmax', 'LogSoftmax',
  'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'Conv2DBackpropBias', 'Pool', 'MaxPoolBackprop', 'AvgPoolBackprop',
  'Transpose', 'Slice', 'Pad', 'Concat', 'Gather', 'ScatterAdd', 'OneHot', 'RandomUniform',
  'AdamUpdate', 'SoftmaxCrossEntropy', 'SoftmaxCrossEntropyBackprop',
];
