// The messages of Netwright's two channels (DESIGN.md §5), as valibot schemas: the envelope
// every message travels in, the engine protocol (validate, train, streams, predict, debugger,
// checkpoints, export) and the host protocol the web host serves (files, recent, engine
// lifecycle). Both ends validate what they receive against these; the types are inferred from
// them, so a schema and its type cannot drift apart. Bump a version whenever a change is not
// backward compatible: the handshake refuses a peer of another version with a clear message.

import * as v from 'valibot';

// ---------------------------------------------------------------------------------------------
// Building blocks

const uint = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
const finite = v.pipe(v.number(), v.finite());
/** A number that may be NaN or infinite at the source (a diverged loss, an unknown ETA): null on the wire. */
const maybeNumber = v.nullable(finite);
const nodeId = v.pipe(v.string(), v.minLength(1), v.maxLength(200));
/** File paths as the user's OS spells them; the host decides which it accepts (engine/host/paths.ts). */
const filePath = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
/** The largest text file (a graph document) either channel carries. */
export const MAX_TEXT_FILE_BYTES = 32 * 1024 * 1024;
/** At most this many values in one tensor on the wire (64 MiB of float32, the frame limit). */
export const MAX_TENSOR_VALUES = 16 * 1024 * 1024;
/** The fastest any stream updates (DESIGN.md §5): more than a display can show is waste. */
export const MAX_STREAM_RATE = 60;

const noArgs = v.optional(v.strictObject({}), {});

export const textSchema = v.strictObject({ en: v.string(), ja: v.string() });

export const shapeSchema = v.pipe(v.array(uint), v.maxLength(8));

export const DTYPES = ['float32', 'int32'] as const;
export type WireDType = (typeof DTYPES)[number];

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * A tensor on the wire: dtype, shape and the values' bytes as one ArrayBuffer (transferable
 * over a MessagePort, raw bytes in a binary WebSocket frame) — never a JSON number array.
 */
export const tensorSchema = v.pipe(
  v.strictObject({ dtype: v.picklist(DTYPES), shape: shapeSchema, data: v.instance(ArrayBuffer) }),
  v.check((t) => product(t.shape) <= MAX_TENSOR_VALUES, `a tensor may hold at most ${MAX_TENSOR_VALUES} values`),
  v.check((t) => t.data.byteLength === 4 * product(t.shape), 'the tensor data must hold 4 bytes per element of its shape'),
);
export type WireTensor = v.InferOutput<typeof tensorSchema>;

const diagnosticSchema = v.strictObject({
  code: v.string(),
  severity: v.picklist(['error', 'warning']),
  message: textSchema,
  hint: textSchema,
  nodeId: v.optional(v.string()),
  port: v.optional(v.string()),
  param: v.optional(v.string()),
  edgeId: v.optional(v.string()),
  path: v.optional(v.string()),
});
export type WireDiagnostic = v.InferOutput<typeof diagnosticSchema>;

// ---------------------------------------------------------------------------------------------
// Errors

/** Why a call failed. Stable strings: the renderer and tests switch on them. */
export const ERROR_CODES = [
  /** The message is not an envelope of ours (not a frame, not an object, a wrong field). */
  'BAD_MESSAGE',
  /** No such method or event in this protocol. */
  'UNKNOWN_METHOD',
  'UNKNOWN_EVENT',
  /** The arguments do not match the method's schema. */
  'BAD_ARGS',
  /** The peers speak different protocol versions (or different protocols). */
  'PROTOCOL_VERSION',
  /** A call came before the `hello` handshake. */
  'NOT_CONNECTED',
  /** The channel closed (the engine crashed or the page went away) before the reply. */
  'CLOSED',
  /** No reply in time. */
  'TIMEOUT',
  /** The engine has no such feature yet (export to TypeScript or ONNX): nothing is faked. */
  'NOT_AVAILABLE',
  /** Something is running that this call would disturb (a second training run). */
  'BUSY',
  /** The call needs a trained or loaded model and there is none. */
  'NO_MODEL',
  /** The graph document does not load or has errors (`diagnostics` lists them). */
  'INVALID_GRAPH',
  /** The trainer refused the graph/dataset pair, or training failed. */
  'TRAINING',
  'DATASET',
  'CHECKPOINT',
  /** The debugger cannot do that now (no session, already at the end, blocked node). */
  'DEBUG',
  /** A path outside the folders the host allows, hidden, or of a refused kind. */
  'PATH_FORBIDDEN',
  /** A file operation failed (not found, permission, disk full). */
  'IO',
  /** A bug: the message says what. */
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const wireErrorSchema = v.strictObject({
  // Any string, not the picklist: a newer peer's code must still reach the user as an error.
  code: v.pipe(v.string(), v.maxLength(64)),
  message: v.string(),
  /** The user-facing message in both languages, where there is one. */
  text: v.optional(textSchema),
  hint: v.optional(textSchema),
  nodeId: v.optional(v.string()),
  diagnostics: v.optional(v.array(diagnosticSchema)),
});
export type WireError = v.InferOutput<typeof wireErrorSchema>;

// ---------------------------------------------------------------------------------------------
// Envelopes

const requestId = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 31 - 1));
const memberName = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

/** What a client sends: a call, a subscription, or the end of one. */
export const clientEnvelopeSchema = v.variant('t', [
  v.strictObject({ t: v.literal('call'), id: requestId, method: memberName, args: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('listen'), id: requestId, event: memberName, args: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('unlisten'), id: requestId }),
]);
export type ClientEnvelope = v.InferOutput<typeof clientEnvelopeSchema>;

/**
 * What a server sends: a reply to a call or a listen (id null when the message it answers had
 * no readable id), or an event of a subscription.
 */
export const serverEnvelopeSchema = v.union([
  v.strictObject({ t: v.literal('reply'), id: v.nullable(requestId), ok: v.literal(true), value: v.optional(v.unknown()) }),
  v.strictObject({ t: v.literal('reply'), id: v.nullable(requestId), ok: v.literal(false), error: wireErrorSchema }),
  v.strictObject({ t: v.literal('event'), id: requestId, data: v.unknown() }),
]);
export type ServerEnvelope = v.InferOutput<typeof serverEnvelopeSchema>;

// ---------------------------------------------------------------------------------------------
// Protocol definitions

/** A method. Its args are an object (or absent); the server refuses anything else before the schema. */
export interface MethodSpec {
  readonly args: v.GenericSchema;
  readonly result: v.GenericSchema;
}

/**
 * A stream. `coalesce` says how updates that arrive faster than the stream's rate merge:
 * `latest` keeps the newest value (progress, histograms), `append` concatenates the `records`
 * arrays of the values (epoch records: none may be lost).
 */
export interface EventSpec {
  readonly args: v.GenericSchema;
  readonly data: v.GenericSchema;
  readonly coalesce: 'latest' | 'append';
}

export interface ProtocolDef {
  readonly name: string;
  readonly version: number;
  readonly methods: Readonly<Record<string, MethodSpec>>;
  readonly events: Readonly<Record<string, EventSpec>>;
}

export type MethodName<P extends ProtocolDef> = keyof P['methods'] & string;
export type EventName<P extends ProtocolDef> = keyof P['events'] & string;
/** What a caller passes (defaults not yet filled in). */
export type ArgsIn<P extends ProtocolDef, M extends MethodName<P>> = v.InferInput<P['methods'][M]['args']>;
/** What a handler receives (validated, defaults filled in). */
export type ArgsOut<P extends ProtocolDef, M extends MethodName<P>> = v.InferOutput<P['methods'][M]['args']>;
export type ResultOf<P extends ProtocolDef, M extends MethodName<P>> = v.InferOutput<P['methods'][M]['result']>;
export type EventArgsIn<P extends ProtocolDef, E extends EventName<P>> = v.InferInput<P['events'][E]['args']>;
export type EventArgsOut<P extends ProtocolDef, E extends EventName<P>> = v.InferOutput<P['events'][E]['args']>;
export type EventData<P extends ProtocolDef, E extends EventName<P>> = v.InferOutput<P['events'][E]['data']>;

/** The handshake every channel starts with; the server answers it itself (channel.ts). */
export const helloArgsSchema = v.strictObject({
  protocol: v.pipe(v.string(), v.maxLength(64)),
  version: v.pipe(v.number(), v.integer()),
  client: v.pipe(v.string(), v.maxLength(100)),
});
export const helloResultSchema = v.strictObject({
  protocol: v.string(),
  version: v.pipe(v.number(), v.integer()),
  /** Facts about the server worth showing or testing: the engine's pid, backend, threads. */
  server: v.record(v.pipe(v.string(), v.maxLength(64)), v.union([v.string(), v.number(), v.boolean()])),
});
export type HelloResult = v.InferOutput<typeof helloResultSchema>;
export const HELLO_METHOD = 'hello';

// ---------------------------------------------------------------------------------------------
// The engine protocol

export const ENGINE_PROTOCOL = 'netwright.engine';
/** Version 1: issue #5. */
export const ENGINE_PROTOCOL_VERSION = 1;

/** Backends a client may ask train.start for. WebGPU falls back to the CPU (with a notice) without an adapter. */
export const TRAIN_BACKENDS = ['cpu', 'webgpu'] as const;
export type TrainBackend = (typeof TRAIN_BACKENDS)[number];

export const TRAINING_STATES = ['idle', 'loading', 'running', 'paused', 'completed', 'stopped', 'failed'] as const;
export type TrainingState = (typeof TRAINING_STATES)[number];
/** States in which a run is under way (pause and stop apply). */
export const ACTIVE_TRAINING_STATES: readonly TrainingState[] = ['loading', 'running', 'paused'];

const failureSchema = v.strictObject({
  code: v.string(),
  message: textSchema,
  hint: textSchema,
  nodeId: v.optional(v.string()),
  step: v.optional(uint),
  epoch: v.optional(uint),
});

const metricsSchema = v.strictObject({
  loss: maybeNumber,
  samples: uint,
  accuracy: v.optional(maybeNumber),
  perClassAccuracy: v.optional(v.array(v.nullable(finite))),
});

const epochRecordSchema = v.strictObject({
  epoch: uint,
  step: uint,
  lr: finite,
  seconds: finite,
  train: metricsSchema,
  validation: v.optional(metricsSchema),
});
export type WireEpochRecord = v.InferOutput<typeof epochRecordSchema>;

const trainingStatusSchema = v.strictObject({
  /** 0 before the first run; each train.start takes the next number. */
  runId: uint,
  state: v.picklist(TRAINING_STATES),
  epoch: uint,
  epochs: uint,
  step: uint,
  /** Why the last run failed. */
  error: v.optional(failureSchema),
  /** The backend the run trains on ('wasm', 'webgpu', ...), once it is made. */
  backend: v.optional(v.string()),
  /** Set when the run is not on the backend asked for (no WebGPU adapter: on the CPU). */
  notice: v.optional(textSchema),
  /** How the last run ended, once it has. */
  result: v.optional(
    v.strictObject({ status: v.picklist(['completed', 'stopped', 'failed']), epoch: uint, step: uint, seconds: finite, samplesPerSecond: finite }),
  ),
});
export type TrainingStatus = v.InferOutput<typeof trainingStatusSchema>;

const progressSchema = v.strictObject({
  runId: uint,
  epoch: uint,
  epochs: uint,
  step: uint,
  stepInEpoch: uint,
  stepsPerEpoch: uint,
  loss: maybeNumber,
  accuracy: v.optional(maybeNumber),
  lr: finite,
  samplesPerSecond: finite,
  etaSeconds: maybeNumber,
});
export type TrainingProgress = v.InferOutput<typeof progressSchema>;

const rate = v.pipe(v.number(), v.minValue(0.1), v.maxValue(MAX_STREAM_RATE));
const HISTOGRAM_KINDS = ['weight', 'gradient'] as const;

const histogramSchema = v.pipe(
  v.strictObject({
    nodeId,
    /** The parameter: `weight`, `bias`, `gamma` … */
    name: v.pipe(v.string(), v.maxLength(100)),
    kind: v.picklist(HISTOGRAM_KINDS),
    min: finite,
    max: finite,
    mean: finite,
    /** L2 norm of the finite values, √Σx². */
    norm: finite,
    /** Values counted (finite ones); NaN and ±Infinity are counted apart. */
    count: uint,
    nonFinite: uint,
    /** Uint32 counts of `bins` equal bins over [min, max]. */
    counts: v.instance(ArrayBuffer),
  }),
  v.check((h) => h.counts.byteLength % 4 === 0, 'histogram counts must be Uint32 values'),
);
export type WireHistogram = v.InferOutput<typeof histogramSchema>;

const nodeOutputSchema = v.strictObject({ nodeId, output: tensorSchema });

const activationsSchema = v.strictObject({
  runId: uint,
  step: uint,
  sample: uint,
  /** The sample's class, for classification sets. */
  label: v.nullable(v.pipe(v.number(), v.integer())),
  input: tensorSchema,
  outputs: v.array(nodeOutputSchema),
});

const nodeIdList = v.pipe(v.array(nodeId), v.maxLength(256));

/** Summary statistics of a tensor the debugger shows (any size). */
const debugStatsSchema = v.strictObject({ min: maybeNumber, max: maybeNumber, mean: maybeNumber, std: maybeNumber });

/**
 * One tensor of the op-level view: its forward value and, once backward has passed it, its
 * gradient; values travel only for small tensors (the numbers drawn on the op graph's edges),
 * statistics always. `producer` is the op (tape index) that computed it; `param` names a parameter.
 */
const debugOpTensorSchema = v.strictObject({
  shape: shapeSchema,
  dtype: v.picklist(DTYPES),
  producer: v.nullable(v.strictObject({ op: uint, nodeId: v.nullable(v.string()) })),
  param: v.optional(v.string()),
  value: v.nullable(tensorSchema),
  valueStats: v.nullable(debugStatsSchema),
  grad: v.nullable(tensorSchema),
  gradStats: v.nullable(debugStatsSchema),
  /** For elementwise ops: ∂output/∂this input per element (the local derivative), once backward passed. */
  local: v.optional(v.nullable(tensorSchema)),
});

const debugOpSchema = v.strictObject({
  index: uint,
  name: v.string(),
  /** The op's scalar attributes ('scale' with alpha 1, beta 1 is "+1"). */
  attrs: v.record(v.string(), v.union([v.number(), v.string(), v.boolean()])),
  inputs: v.array(debugOpTensorSchema),
  output: debugOpTensorSchema,
});

const paramTensorSchema = v.strictObject({ name: v.string(), tensor: tensorSchema });

/** Exported files; binary contents (ONNX) are base64 with `encoding: 'base64'`, text is plain (utf8). */
const exportResultSchema = v.strictObject({
  files: v.array(v.strictObject({ name: v.string(), contents: v.string(), encoding: v.optional(v.picklist(['utf8', 'base64'])) })),
});
const documentArg = v.unknown();

/** A built-in dataset as the training panel lists it (a subset of engine/data/registry.ts's DatasetInfo). */
const datasetInfoSchema = v.strictObject({
  name: v.string(),
  source: v.picklist(['bundled', 'system', 'files', 'generated']),
  title: textSchema,
  description: textSchema,
  task: v.optional(v.picklist(['classification', 'regression'])),
  inputShape: v.optional(shapeSchema),
  needsPath: v.boolean(),
});
export type WireDatasetInfo = v.InferOutput<typeof datasetInfoSchema>;

export const ENGINE_METHODS = {
  /** Loads (migrating) and validates a graph: the same diagnostics the editor computes. */
  validate: {
    args: v.strictObject({ document: documentArg }),
    result: v.strictObject({
      ok: v.boolean(),
      diagnostics: v.array(diagnosticSchema),
      migratedFrom: v.optional(uint),
      nodes: v.array(v.strictObject({ id: v.string(), outputs: v.optional(v.array(shapeSchema)), paramCount: uint })),
      totals: v.strictObject({ paramCount: uint, flops: finite, memoryBytes: finite }),
    }),
  },
  /** Starts training the graph on its `training.dataset`; answers once the run is accepted. */
  'train.start': {
    args: v.strictObject({
      document: documentArg,
      /** Resume from this checkpoint (weights, optimizer state, epoch and step). */
      checkpoint: v.optional(filePath),
      /** The backend to train on; absent: the engine's own default (its --backend). */
      backend: v.optional(v.picklist(TRAIN_BACKENDS)),
    }),
    result: v.strictObject({ runId: uint }),
  },
  'train.pause': { args: noArgs, result: trainingStatusSchema },
  'train.resume': { args: noArgs, result: trainingStatusSchema },
  'train.stop': { args: noArgs, result: trainingStatusSchema },
  'train.status': { args: noArgs, result: trainingStatusSchema },
  /** Runs the trained (or loaded) model on a batch [N, ...inputShape] (or one sample). */
  predict: {
    args: v.strictObject({ input: tensorSchema }),
    result: v.strictObject({ nodeId, output: tensorSchema, classes: v.optional(v.array(v.pipe(v.number(), v.integer()))) }),
  },
  /**
   * A layer's weights (conv filters [out, in, kh, kw], a Dense matrix [in, units]) and bias.
   * `units`: only the first this many output units (conv filters along the first axis, a
   * matrix's columns along the last) — a panel showing 64 of 512 units reads an eighth.
   */
  'model.filters': {
    args: v.strictObject({ nodeId, units: v.optional(v.pipe(uint, v.minValue(1))) }),
    result: v.strictObject({ nodeId, params: v.array(paramTensorSchema) }),
  },
  /** Every chosen node's output (feature maps) for one training sample. */
  'model.activations': {
    args: v.strictObject({ sample: uint, nodeIds: v.optional(nodeIdList) }),
    result: activationsSchema,
  },
  // --- Training panels (issue #7): the dataset list, the confusion matrix and sample images.
  /** The built-in datasets (engine/data/registry.ts): the training panel's dataset choice. */
  'datasets.list': {
    args: noArgs,
    result: v.strictObject({ datasets: v.array(datasetInfoSchema) }),
  },
  /**
   * The model on the validation split, in inference mode: counts[true][predicted] and, per
   * cell, the first `maxPerCell` sample indices (into the training set, as data.samples takes).
   */
  'model.confusion': {
    args: v.optional(v.strictObject({ maxPerCell: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)), 50) }), {}),
    result: v.strictObject({
      runId: uint,
      step: uint,
      /** Class names, index = label. */
      classes: v.array(v.string()),
      /** Samples evaluated: the validation split's size; the counts sum to it. */
      size: uint,
      counts: v.array(v.array(uint)),
      samples: v.array(v.array(v.array(uint))),
    }),
  },
  /** A few samples of the model's training set (the validation split is part of it): values and labels. */
  'data.samples': {
    args: v.strictObject({ indices: v.pipe(v.array(uint), v.minLength(1), v.maxLength(64)) }),
    result: v.strictObject({
      /** Samples in the set: the largest index is size − 1. */
      size: uint,
      samples: v.array(v.strictObject({ index: uint, label: v.nullable(v.pipe(v.number(), v.integer())), input: tensorSchema })),
    }),
  },
  'checkpoint.save': {
    args: v.strictObject({ path: filePath }),
    result: v.strictObject({ weights: v.string(), graph: v.string() }),
  },
  /** Loads weights and the graph saved beside them; the model becomes the one predict uses. */
  'checkpoint.load': {
    args: v.strictObject({ path: filePath }),
    result: v.strictObject({ document: v.unknown(), progress: v.nullable(v.strictObject({ epoch: uint, step: uint })) }),
  },
  'export.typescript': { args: v.strictObject({ document: documentArg }), result: exportResultSchema },
  'export.onnx': { args: v.strictObject({ document: documentArg }), result: exportResultSchema },
  /**
   * Starts a debugger session: builds the graph, runs a forward pass over a few samples with
   * a tape (elementary: composite activations as the textbook's ops) and prepares backward.
   */
  'debug.start': {
    args: v.strictObject({
      document: documentArg,
      samples: v.optional(v.pipe(v.array(uint), v.minLength(1), v.maxLength(64))),
      elementary: v.optional(v.boolean()),
      /** Debug the model being trained (or loaded) instead of a freshly initialised one. */
      useTrained: v.optional(v.boolean()),
    }),
    result: v.strictObject({
      samples: v.array(uint),
      loss: maybeNumber,
      forwardOrder: v.array(v.string()),
      /** Backward steps in order; null is the sum of several losses and penalties. */
      backwardOrder: v.array(v.nullable(v.string())),
      nodes: v.array(v.strictObject({ nodeId: v.string(), type: v.string(), outputs: v.array(shapeSchema), ops: uint })),
    }),
  },
  /** The next node's outputs, in forward order. */
  'debug.forward': {
    args: noArgs,
    result: v.strictObject({ nodeId: v.string(), index: uint, outputs: v.array(tensorSchema), done: v.boolean() }),
  },
  /** Backward through the next node: its outputs' gradients and its parameters' gradients. */
  'debug.backward': {
    args: noArgs,
    result: v.strictObject({
      nodeId: v.nullable(v.string()),
      index: uint,
      outputGrads: v.array(v.nullable(tensorSchema)),
      /** dL/d(input) per input port, once complete (null while another user of that input has not run backward). */
      inputGrads: v.array(v.strictObject({ port: v.string(), tensor: v.nullable(tensorSchema) })),
      paramGrads: v.array(paramTensorSchema),
      done: v.boolean(),
    }),
  },
  /** The op-level graph of one node (a Dense node shows matMul, add). */
  'debug.expand': {
    args: v.strictObject({ nodeId: v.nullable(nodeId) }),
    result: v.strictObject({ nodeId: v.nullable(v.string()), ops: v.array(debugOpSchema) }),
  },
  /**
   * Numerical (central difference) against analytic gradient for a few elements of each parameter
   * of a node and of each of its inputs, in float64 on a reference-backend copy of the debugged
   * model (same weights, same batch): relative error |a−n| / max(|a|, |n|, 1e-10), and timings.
   */
  'debug.gradCheck': {
    args: v.strictObject({
      nodeId,
      elements: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64)), 8),
      epsilon: v.optional(v.pipe(v.number(), v.minValue(1e-9), v.maxValue(1)), 1e-5),
    }),
    result: v.strictObject({
      nodeId,
      /** Where the check ran: always the float64 reference backend. */
      backend: v.string(),
      epsilon: finite,
      checks: v.array(
        v.strictObject({
          /** A parameter of the node ('weight'), or one of its input ports ('in'), checked through the node alone. */
          kind: v.picklist(['param', 'input']),
          param: v.string(),
          index: uint,
          analytic: finite,
          numeric: finite,
          relativeError: finite,
          /**
           * The perturbation crossed a kink (ReLU at 0, a max-pool tie): the one-sided slopes
           * disagree, no finite difference measures the derivative, and the element is left out
           * of maxRelativeError.
           */
          kink: v.boolean(),
        }),
      ),
      /** Over the elements not at a kink. */
      maxRelativeError: finite,
      kinks: uint,
      /** Milliseconds: one forward and backward pass (analytic), and every perturbed evaluation (numeric). */
      analyticMs: finite,
      numericMs: finite,
      evaluations: uint,
    }),
  },
  /** One optimizer update of the debugged model on the session's batch: each parameter's change. */
  'debug.optimizerStep': {
    args: noArgs,
    result: v.strictObject({
      optimizer: v.string(),
      lr: finite,
      /** Per parameter: the gradient used, the change ΔW, and the new value W + ΔW. */
      updates: v.array(v.strictObject({ nodeId: v.string(), name: v.string(), grad: tensorSchema, delta: tensorSchema, value: tensorSchema })),
    }),
  },
  'debug.end': { args: noArgs, result: v.strictObject({}) },
} as const satisfies Record<string, MethodSpec>;

export const ENGINE_EVENTS = {
  /** The run's state: loading, running, paused, and how it ended. */
  state: { args: noArgs, data: trainingStatusSchema, coalesce: 'latest' },
  /** Step-level progress of the current run. */
  progress: { args: noArgs, data: progressSchema, coalesce: 'latest' },
  /** Epochs that ended (training and validation metrics); records are never dropped. */
  epoch: {
    args: noArgs,
    data: v.strictObject({ runId: uint, records: v.array(epochRecordSchema) }),
    coalesce: 'append',
  },
  /** Weight and gradient histograms of every parameter. */
  histograms: {
    args: v.optional(
      v.strictObject({
        kinds: v.optional(v.pipe(v.array(v.picklist(HISTOGRAM_KINDS)), v.minLength(1), v.maxLength(2)), ['weight', 'gradient']),
        bins: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(256)), 30),
        maxRate: v.optional(rate, 10),
      }),
      {},
    ),
    data: v.strictObject({ runId: uint, step: uint, items: v.array(histogramSchema) }),
    coalesce: 'latest',
  },
  /** Feature maps of chosen nodes for one sample, recomputed as training goes. */
  activations: {
    args: v.strictObject({ sample: uint, nodeIds: v.optional(nodeIdList), maxRate: v.optional(rate, 5) }),
    data: activationsSchema,
    coalesce: 'latest',
  },
} as const satisfies Record<string, EventSpec>;

export const ENGINE = {
  name: ENGINE_PROTOCOL,
  version: ENGINE_PROTOCOL_VERSION,
  methods: ENGINE_METHODS,
  events: ENGINE_EVENTS,
} as const satisfies ProtocolDef;
export type EngineProtocol = typeof ENGINE;

// ---------------------------------------------------------------------------------------------
// The host protocol (web host only: Electron's preload answers the same API over its own IPC)

export const HOST_PROTOCOL = 'netwright.host';
export const HOST_PROTOCOL_VERSION = 1;

export const fileRootSchema = v.strictObject({ label: v.string(), path: v.string(), writable: v.boolean() });
export const fileEntrySchema = v.strictObject({
  name: v.string(),
  path: v.string(),
  kind: v.picklist(['file', 'directory']),
  size: uint,
  /** Milliseconds since the epoch. */
  modified: finite,
});
const fileContents = v.pipe(v.string(), v.maxLength(MAX_TEXT_FILE_BYTES));
export const openedFileSchema = v.strictObject({ path: v.string(), name: v.string(), contents: v.string() });

export const ENGINE_LIFECYCLE_STATES = ['starting', 'ready', 'crashed', 'failed'] as const;
export const engineLifecycleSchema = v.strictObject({
  /** `failed`: crashed too often in a short time; the host stopped restarting it. */
  state: v.picklist(ENGINE_LIFECYCLE_STATES),
  pid: v.nullable(uint),
  /** How the last engine ended (exit code or signal), when it did. */
  exitCode: v.nullable(v.pipe(v.number(), v.integer())),
  signal: v.nullable(v.pipe(v.string(), v.maxLength(32))),
  restarts: uint,
});
export type EngineLifecycle = v.InferOutput<typeof engineLifecycleSchema>;

export const HOST_METHODS = {
  'files.roots': { args: noArgs, result: v.strictObject({ roots: v.array(fileRootSchema) }) },
  'files.list': {
    args: v.strictObject({ dir: filePath }),
    result: v.strictObject({ dir: v.string(), entries: v.array(fileEntrySchema) }),
  },
  'files.read': { args: v.strictObject({ path: filePath }), result: openedFileSchema },
  /** Atomic: written to a temporary file beside the target, then renamed over it. */
  'files.write': { args: v.strictObject({ path: filePath, contents: fileContents }), result: v.strictObject({ path: v.string() }) },
  'recent.list': { args: noArgs, result: v.strictObject({ paths: v.array(v.string()) }) },
  'recent.add': { args: v.strictObject({ path: filePath }), result: v.strictObject({ paths: v.array(v.string()) }) },
  'recent.clear': { args: noArgs, result: v.strictObject({ paths: v.array(v.string()) }) },
  'engine.lifecycle': { args: noArgs, result: engineLifecycleSchema },
} as const satisfies Record<string, MethodSpec>;

export const HOST_EVENTS = {
  /** The engine process started, crashed, was restarted, or gave up. */
  engine: { args: noArgs, data: engineLifecycleSchema, coalesce: 'latest' },
} as const satisfies Record<string, EventSpec>;

export const HOST = {
  name: HOST_PROTOCOL,
  version: HOST_PROTOCOL_VERSION,
  methods: HOST_METHODS,
  events: HOST_EVENTS,
} as const satisfies ProtocolDef;
export type HostProtocol = typeof HOST;

// ---------------------------------------------------------------------------------------------
// Tensors: typed arrays to wire form and back

/** A typed array as a wire tensor; the bytes are copied, so the caller keeps its array. */
export function toWireTensor(values: Float32Array | Int32Array, shape: readonly number[]): WireTensor {
  const dtype: WireDType = values instanceof Int32Array ? 'int32' : 'float32';
  if (values.length !== product(shape)) throw new RangeError(`toWireTensor: ${values.length} values for shape [${shape.join(',')}]`);
  // slice() of the view: an exactly-sized copy, even when `values` is a view into wasm memory.
  return { dtype, shape: [...shape], data: values.slice().buffer };
}

/** The values of a wire tensor as a typed array over its buffer (no copy). */
export function fromWireTensor(tensor: WireTensor): Float32Array | Int32Array {
  return tensor.dtype === 'int32' ? new Int32Array(tensor.data) : new Float32Array(tensor.data);
}

/** A number as it may travel: NaN and ±Infinity become null (JSON has neither). */
export function wireNumber(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
