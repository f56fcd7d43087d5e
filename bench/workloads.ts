// The graphs the benchmarks train, defined once: the MLP workload of issues #3, #5 and #10
// (784-256-128-10, ReLU, softmax cross-entropy, Adam lr 1e-3, batch 128).

import type { GraphDocumentInput, TrainingConfig } from '../engine/protocol/document.js';

export const MLP_SIZES = [784, 256, 128, 10] as const;

/** A chain Input → (Dense → ReLU)* → Dense → CrossEntropy over `sizes`. */
export function mlpDocument(sizes: readonly number[] = MLP_SIZES, training: Partial<TrainingConfig> = {}): GraphDocumentInput {
  const nodes: GraphDocumentInput['nodes'] = [{ id: 'x', type: 'Input', params: { shape: [sizes[0]!] } }];
  for (let i = 1; i < sizes.length; i++) {
    nodes.push({ id: `fc${i}`, type: 'Dense', params: { units: sizes[i]! } });
    if (i < sizes.length - 1) nodes.push({ id: `relu${i}`, type: 'ReLU', params: {} });
  }
  nodes.push({ id: 'loss', type: 'CrossEntropy', params: {} });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: n.id, port: 'in' } }));
  return {
    format: 'netwright.graph',
    version: 1,
    name: 'mlp-bench',
    nodes,
    edges,
    training: { dataset: { name: 'mnist' }, optimizer: { type: 'adam', lr: 1e-3 }, batchSize: 128, ...training },
  };
}
