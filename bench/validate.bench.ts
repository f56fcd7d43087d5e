// Validation plus shape inference on a generated 1,000-node graph (issue #2 goal: median
// under 20 ms on our 2-core machine). The renderer runs it on every edit, so it must stay
// far below a frame budget even for large graphs.

import { GRAPH_FORMAT, SCHEMA_VERSION, completeDocument, serializeDocument, type GraphDocumentInput, type GraphNode } from '../engine/protocol/document.js';
import { loadDocument } from '../engine/protocol/load.js';
import { validateGraph } from '../engine/protocol/validate.js';
import { summarise, timeMs, type Benchmark } from './harness.js';

/**
 * A deep residual CNN with exactly `size` nodes: Input, then blocks of Conv2D → ReLU → Add
 * (shortcut from the block input), then GlobalAvgPool → Dense → CrossEntropy.
 */
export function residualTower(size: number): GraphDocumentInput {
  const nodes: GraphNode[] = [];
  const edges: NonNullable<GraphDocumentInput['edges']> = [];
  const add = (type: string, params: GraphNode['params'] = {}) => {
    const id = `n${nodes.length}`;
    nodes.push({ id, type, params, position: { x: 0, y: nodes.length * 80 } });
    return id;
  };
  const connect = (source: string, target: string, port = 'in') =>
    edges.push({ id: `e${edges.length}`, source: { node: source, port: 'out' }, target: { node: target, port } });

  let last = add('Input', { shape: [8, 16, 16], kind: 'image' });
  const tail = 3;
  while (nodes.length + 3 <= size - tail) {
    const conv = add('Conv2D', { filters: 8, kernel: [3, 3], padding: 'same' });
    connect(last, conv);
    const relu = add('ReLU');
    connect(conv, relu);
    const sum = add('Add', { inputs: 2 });
    connect(relu, sum, 'in0');
    connect(last, sum, 'in1');
    last = sum;
  }
  while (nodes.length < size - tail) {
    const relu = add('ReLU');
    connect(last, relu);
    last = relu;
  }
  const gap = add('GlobalAvgPool');
  connect(last, gap);
  const fc = add('Dense', { units: 10 });
  connect(gap, fc);
  const loss = add('CrossEntropy');
  connect(fc, loss);
  return { format: GRAPH_FORMAT, version: SCHEMA_VERSION, name: `tower-${size}`, nodes, edges };
}

export const validateBenchmark: Benchmark = {
  name: 'graph validation',
  async run() {
    const doc = completeDocument(residualTower(1000));
    const check = validateGraph(doc);
    if (doc.nodes.length !== 1000 || check.diagnostics.length > 0) {
      throw new Error(`bench graph is not a valid 1,000-node graph: ${check.diagnostics.map((d) => d.code).join(', ')}`);
    }
    const source = serializeDocument(doc);
    const validate = await timeMs(() => validateGraph(doc), { warmup: 10, runs: 50 });
    const load = await timeMs(() => validateGraph(loadDocument(source).document!), { warmup: 5, runs: 25 });
    return [
      summarise(validate, { workload: 'validate+infer 1,000-node graph', impl: 'netwright-protocol', metric: 'time', unit: 'ms' }),
      summarise(load, { workload: 'parse+migrate+validate 1,000-node file', impl: 'netwright-protocol', metric: 'time', unit: 'ms' }),
    ];
  },
};
