// The engine's public API, the package entry `netwright` (built to dist/engine/index.js): build a
// graph in code, train it, load datasets and backends, read and write weights. Exported
// TypeScript (docs/export.md) imports only from here, so this surface is kept small and stable.

export { createGraph, GraphBuilder } from './api/graph.js';
export type * from './api/graph.js';
export { train, type TrainOptions, type TrainOutcome } from './host/api.js';
export { loadDataset, type Dataset, type DatasetSplits, type DatasetConfig } from './data/index.js';
export { createWasmBackend, type WasmBackendOptions } from './backends/wasm/index.js';
export { ReferenceBackend } from './backends/reference/reference.js';
export type { Backend } from './backends/backend.js';
export { buildModel, Model, type ModelParameter } from './train/model.js';
export { Trainer, evaluate, type TrainResult, type EpochRecord } from './train/trainer.js';
export { saveCheckpoint, readCheckpoint, loadWeights } from './train/checkpoint.js';
export { readSafetensors, writeSafetensors } from './export/safetensors.js';
export { completeDocument, loadDocument, validateGraph, serializeDocument, type GraphDocument, type GraphDocumentInput } from './protocol/index.js';
