// Warnings: graphs that are legal but probably not what the learner meant.

import { describe, expect, it } from 'vitest';
import { completeDocument, type GraphDocumentInput } from '../document.js';
import { hasErrors } from '../diagnostics.js';
import { validateGraph } from '../validate.js';

function graph(nodes: [string, string, Record<string, unknown>?][], edges: [string, string][]): GraphDocumentInput {
  return {
    format: 'netwright.graph',
    version: 1,
    nodes: nodes.map(([id, type, params]) => ({ id, type, params: (params ?? {}) as Record<string, number> })),
    edges: edges.map(([s, t], i) => ({ id: `e${i}`, source: { node: s, port: 'out' }, target: { node: t, port: 'in' } })),
  };
}

describe('warnings', () => {
  it('a branch that reaches no loss is dead, and only a warning', () => {
    const doc = completeDocument(
      graph(
        [['x', 'Input', { shape: [4] }], ['fc', 'Dense', { units: 2 }], ['side', 'Dense', { units: 3 }], ['loss', 'CrossEntropy']],
        [['x', 'fc'], ['fc', 'loss'], ['x', 'side']],
      ),
    );
    const { diagnostics } = validateGraph(doc);
    expect(diagnostics.map((d) => [d.code, d.nodeId, d.severity])).toEqual([['NODE_DEAD', 'side', 'warning']]);
    expect(hasErrors(diagnostics)).toBe(false);
  });

  it('Softmax feeding Cross-entropy is flagged: softmax would be applied twice', () => {
    const doc = completeDocument(
      graph(
        [['x', 'Input', { shape: [4] }], ['fc', 'Dense', { units: 3 }], ['sm', 'Softmax'], ['loss', 'CrossEntropy']],
        [['x', 'fc'], ['fc', 'sm'], ['sm', 'loss']],
      ),
    );
    const [d] = validateGraph(doc).diagnostics;
    expect(d).toMatchObject({ code: 'LOSS_DOUBLE_SOFTMAX', nodeId: 'loss', port: 'in', severity: 'warning' });
  });
});
