// The graphs the benchmarks train, defined once: the MLP workload of issues #3, #5 and #10
// (784-256-128-10, ReLU, softmax cross-entropy, Adam lr 1e-3, batch 128) and the CNN workload
// of issue #10 (conv3x3 1→16 same, ReLU, maxpool 2; conv3x3 16→32 same, ReLU, maxpool 2;
// dense 1568→10). bench/peers/torch_peer.py builds the same two networks in PyTorch.

import type { GraphDocumentInput, TrainingConfig } from '../engine/protocol/document.js';

export const MLP_SIZES = [784, 256, 128, 10] as const;
export const BATCH = 128;

type Node = GraphDocumentInput['nodes'][number];

function chain(name: string, nodes: Node[], training: Partial<TrainingConfig>): GraphDocumentInput {
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: { node: nodes[i]!.id, port: 'out' }, target: { node: n.id, port: 'in' } }));
  return {
    format: 'netwright.graph',
    version: 1,
    name,
    nodes,
    edges,
    training: { dataset: { name: 'mnist' }, optimizer: { type: 'adam', lr: 1e-3 }, batchSize: BATCH, ...training },
  };
}

/** A chain Input → (Dense → ReLU)* → Dense → CrossEntropy over `sizes`. */
export function mlpDocument(sizes: readonly number[] = MLP_SIZES, training: Partial<TrainingConfig> = {}): GraphDocumentInput {
  const nodes: Node[] = [{ id: 'x', type: 'Input', params: { shape: [sizes[0]!] } }];
  for (let i = 1; i < sizes.length; i++) {
    nodes.push({ id: `fc${i}`, type: 'Dense', params: { units: sizes[i]! } });
    if (i < sizes.length - 1) nodes.push({ id: `relu${i}`, type: 'ReLU', params: {} });
  }
  nodes.push({ id: 'loss', type: 'CrossEntropy', params: {} });
  return chain('mlp-bench', nodes, training);
}

/** Input shape of the CNN workload (one MNIST image, NCHW without N). */
export const CNN_INPUT = [1, 28, 28] as const;
export const CNN_CLASSES = 10;

/** The CNN workload: two conv3x3-ReLU-maxpool stages (16 and 32 filters), then dense 1568→10. */
export function cnnDocument(training: Partial<TrainingConfig> = {}): GraphDocumentInput {
  const nodes: Node[] = [{ id: 'x', type: 'Input', params: { shape: [...CNN_INPUT], kind: 'image' } }];
  for (const [i, filters] of [16, 32].entries()) {
    nodes.push(
      { id: `conv${i + 1}`, type: 'Conv2D', params: { filters, kernel: [3, 3], padding: 'same' } },
      { id: `relu${i + 1}`, type: 'ReLU', params: {} },
      { id: `pool${i + 1}`, type: 'MaxPool', params: { kernel: [2, 2], stride: [2, 2] } },
    );
  }
  nodes.push(
    { id: 'flatten', type: 'Flatten', params: {} },
    { id: 'fc', type: 'Dense', params: { units: CNN_CLASSES } },
    { id: 'loss', type: 'CrossEntropy', params: {} },
  );
  return chain('cnn-bench', nodes, training);
}
