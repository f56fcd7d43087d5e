// The graph document (`*.netwright.json`), schema version 1 (DESIGN.md §3): nodes with their
// params and positions, edges between ports, groups, the training config and UI state.
// Weights live beside it in `*.safetensors`. Structure is checked with a schema (valibot);
// meaning (types, ports, shapes) is checked by validate.ts against the catalog.

import * as v from 'valibot';

export const GRAPH_FORMAT = 'netwright.graph';
export const SCHEMA_VERSION = 1;
export const FILE_EXTENSION = '.netwright.json';

const finite = v.pipe(v.number(), v.finite());
const id = v.pipe(v.string(), v.nonEmpty(), v.maxLength(200));
const paramValue = v.union([finite, v.boolean(), v.string(), v.array(finite)]);

const portRef = v.strictObject({ node: id, port: id });

const nodeSchema = v.strictObject({
  id,
  type: v.pipe(v.string(), v.nonEmpty()),
  label: v.optional(v.pipe(v.string(), v.maxLength(500))),
  params: v.optional(v.record(v.string(), paramValue), {}),
  position: v.optional(v.strictObject({ x: finite, y: finite }), { x: 0, y: 0 }),
  group: v.optional(id),
});

const edgeSchema = v.strictObject({ id, source: portRef, target: portRef });

const groupSchema = v.strictObject({
  id,
  label: v.optional(v.string(), ''),
  collapsed: v.optional(v.boolean(), false),
});

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamw'] as const;
export const SCHEDULES = ['constant', 'step', 'exponential', 'cosine'] as const;
export const BATCH_MODES = ['minibatch', 'full', 'online'] as const;
export const METRICS = ['loss', 'accuracy', 'perClassAccuracy'] as const;

const optimizerSchema = v.strictObject({
  type: v.picklist(OPTIMIZERS),
  lr: finite,
  momentum: v.optional(finite),
  beta1: v.optional(finite),
  beta2: v.optional(finite),
  rho: v.optional(finite),
  epsilon: v.optional(finite),
  weightDecay: v.optional(finite),
});

const scheduleSchema = v.strictObject({
  type: v.picklist(SCHEDULES),
  stepSize: v.optional(finite),
  gamma: v.optional(finite),
  minLr: v.optional(finite),
});

export const DEFAULT_TRAINING = {
  dataset: { name: 'mnist' },
  optimizer: { type: 'adam', lr: 0.001 },
  schedule: { type: 'constant' },
  mode: 'minibatch',
  batchSize: 128,
  epochs: 5,
  seed: 42,
  validationSplit: 0.2,
  metrics: ['loss', 'accuracy'],
} as const;

/** Reader options of a dataset (CSV label column, generated sample count, image size, ...): docs/datasets.md. */
const datasetOptionsSchema = v.record(v.pipe(v.string(), v.nonEmpty()), v.union([finite, v.string(), v.boolean()]));

const trainingSchema = v.strictObject({
  dataset: v.optional(
    v.strictObject({ name: v.pipe(v.string(), v.nonEmpty()), path: v.optional(v.string()), options: v.optional(datasetOptionsSchema) }),
    () => ({ ...DEFAULT_TRAINING.dataset }),
  ),
  optimizer: v.optional(optimizerSchema, () => ({ ...DEFAULT_TRAINING.optimizer })),
  schedule: v.optional(scheduleSchema, () => ({ ...DEFAULT_TRAINING.schedule })),
  mode: v.optional(v.picklist(BATCH_MODES), DEFAULT_TRAINING.mode),
  batchSize: v.optional(finite, DEFAULT_TRAINING.batchSize),
  epochs: v.optional(finite, DEFAULT_TRAINING.epochs),
  seed: v.optional(finite, DEFAULT_TRAINING.seed),
  validationSplit: v.optional(finite, DEFAULT_TRAINING.validationSplit),
  metrics: v.optional(v.array(v.picklist(METRICS)), () => [...DEFAULT_TRAINING.metrics]),
});

const uiSchema = v.looseObject({
  viewport: v.optional(v.strictObject({ x: finite, y: finite, zoom: finite }), { x: 0, y: 0, zoom: 1 }),
});

export const documentSchema = v.strictObject({
  format: v.literal(GRAPH_FORMAT),
  version: v.literal(SCHEMA_VERSION),
  name: v.optional(v.string(), 'Untitled'),
  description: v.optional(v.string()),
  nodes: v.array(nodeSchema),
  edges: v.optional(v.array(edgeSchema), []),
  groups: v.optional(v.array(groupSchema), []),
  training: v.optional(trainingSchema, () => v.parse(trainingSchema, {})),
  ui: v.optional(uiSchema, () => ({ viewport: { x: 0, y: 0, zoom: 1 } })),
});

/** A document as it is on disk before defaults are filled in. */
export type GraphDocumentInput = v.InferInput<typeof documentSchema>;
/** A complete document, every default filled in: what the editor and engine work on. */
export type GraphDocument = v.InferOutput<typeof documentSchema>;
export type GraphNode = GraphDocument['nodes'][number];
export type GraphEdge = GraphDocument['edges'][number];
export type GraphGroup = GraphDocument['groups'][number];
export type PortRef = GraphEdge['source'];
export type TrainingConfig = GraphDocument['training'];
export type OptimizerConfig = TrainingConfig['optimizer'];

/** An empty, valid-to-edit document. */
export function emptyDocument(name = 'Untitled'): GraphDocument {
  return v.parse(documentSchema, { format: GRAPH_FORMAT, version: SCHEMA_VERSION, name, nodes: [] });
}

/** Fills defaults into a document written by hand or by code (throws on a bad structure). */
export function completeDocument(input: GraphDocumentInput): GraphDocument {
  return v.parse(documentSchema, input);
}

/**
 * Serialises a document as it is saved: stable key order (as built), two-space indent and a
 * final newline, so files diff well under version control.
 */
export function serializeDocument(doc: GraphDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
