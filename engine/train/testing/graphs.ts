// Small graphs the engine's tests train: defined once so the tests agree on what "the blobs
// classifier" is.
import type { GraphDocumentInput, TrainingConfig } from '../../protocol/document.js';

/** Input [2] → Dense 8 → `activation` → Dense 3 → CrossEntropy, for the `blobs` dataset (3 classes). */
export function blobsClassifier(activation: string, training: Partial<TrainingConfig> & Pick<TrainingConfig, 'dataset'>): GraphDocumentInput {
  return {
    format: 'netwright.graph',
    version: 1,
    name: 'blobs',
    nodes: [
      { id: 'x', type: 'Input', params: { shape: [2] } },
      { id: 'fc1', type: 'Dense', params: { units: 8 } },
      { id: 'act', type: activation, params: {} },
      { id: 'fc2', type: 'Dense', params: { units: 3 } },
      { id: 'loss', type: 'CrossEntropy', params: {} },
    ],
    edges: [
      { id: 'e1', source: { node: 'x', port: 'out' }, target: { node: 'fc1', port: 'in' } },
      { id: 'e2', source: { node: 'fc1', port: 'out' }, target: { node: 'act', port: 'in' } },
      { id: 'e3', source: { node: 'act', port: 'out' }, target: { node: 'fc2', port: 'in' } },
      { id: 'e4', source: { node: 'fc2', port: 'out' }, target: { node: 'loss', port: 'in' } },
    ],
    training,
  };
}
