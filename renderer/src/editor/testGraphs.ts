// Small graphs the editor's unit tests share (not a test file itself, so importing it registers
// no tests twice).
import { completeDocument, type GraphDocument } from '../../../engine/protocol/index.js';

/** Input [784] → Dense 128 → ReLU → Dense 10 → CrossEntropy: the MNIST MLP of the first lesson. */
export function mlp(): GraphDocument {
  return completeDocument({
    format: 'netwright.graph',
    version: 1,
    nodes: [
      { id: 'in', type: 'Input', params: { shape: [784] }, position: { x: 0, y: 0 } },
      { id: 'd1', type: 'Dense', params: { units: 128 }, position: { x: 200, y: 0 } },
      { id: 'r1', type: 'ReLU', position: { x: 400, y: 0 } },
      { id: 'd2', type: 'Dense', params: { units: 10 }, position: { x: 600, y: 0 } },
      { id: 'loss', type: 'CrossEntropy', position: { x: 800, y: 0 } },
    ],
    edges: [
      { id: 'e1', source: { node: 'in', port: 'out' }, target: { node: 'd1', port: 'in' } },
      { id: 'e2', source: { node: 'd1', port: 'out' }, target: { node: 'r1', port: 'in' } },
      { id: 'e3', source: { node: 'r1', port: 'out' }, target: { node: 'd2', port: 'in' } },
      { id: 'e4', source: { node: 'd2', port: 'out' }, target: { node: 'loss', port: 'in' } },
    ],
  });
}
