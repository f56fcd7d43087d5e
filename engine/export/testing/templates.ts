// Graphs the export tests share: the lesson templates, made small enough to train a few dozen
// steps in a test, and a residual block with BatchNorm on MNIST-sized input.

import { readFileSync } from 'node:fs';
import { loadDocument, type GraphDocument } from '../../protocol/index.js';

const ROOT = new URL('../../../', import.meta.url);

export function readGraph(relative: string): GraphDocument {
  const loaded = loadDocument(readFileSync(new URL(relative, ROOT), 'utf8'));
  if (loaded.document === undefined) throw new Error(`${relative}: ${loaded.diagnostics[0]?.message.en ?? 'unreadable'}`);
  return loaded.document;
}

/**
 * assets/examples/residual-block on MNIST: Input [1,28,28] instead of CIFAR's [3,32,32] (no
 * CIFAR offline), a BatchNorm after conv_a, and batch 8 so 50 steps stay fast.
 */
export function residualMnist(): GraphDocument {
  const doc = readGraph('assets/examples/residual-block.netwright.json');
  const nodes = doc.nodes.map((n) => (n.id === 'input' ? { ...n, params: { ...n.params, shape: [1, 28, 28] } } : n));
  const at = nodes.findIndex((n) => n.id === 'conv_a');
  nodes.splice(at + 1, 0, { id: 'bn_a', type: 'BatchNorm', label: 'BatchNorm', params: {}, position: { x: 0, y: 0 } });
  const edges = doc.edges.map((e) => (e.source.node === 'conv_a' && e.target.node === 'relu_a' ? { ...e, source: { node: 'bn_a', port: 'out' } } : e));
  edges.push({ id: 'conv_a-bn_a', source: { node: 'conv_a', port: 'out' }, target: { node: 'bn_a', port: 'in' } });
  return { ...doc, nodes, edges, training: { ...doc.training, dataset: { name: 'mnist' }, batchSize: 8 } };
}
