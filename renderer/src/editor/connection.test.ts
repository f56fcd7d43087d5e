// Connection checks while dragging: self, occupied port, cycle and a shape that inference rejects
// are refused with their reason; a fitting connection passes.
import { describe, expect, it } from 'vitest';
import { checkConnection } from './connection';
import { mlp } from './testGraphs';
import { addNode, removeElements, setParam } from './graphOps';
import { reportFor } from './validation';

const check = (doc: ReturnType<typeof mlp>, source: string, target: string, targetPort = 'in') =>
  checkConnection(doc, reportFor(doc), { node: source, port: 'out' }, { node: target, port: targetPort });

describe('connection checks', () => {
  it('refuses a node connecting to itself', () => {
    expect(check(mlp(), 'd1', 'd1')).toMatchObject({ ok: false, reason: 'self' });
  });

  it('refuses an input port that already has an edge', () => {
    expect(check(mlp(), 'in', 'r1')).toMatchObject({ ok: false, reason: 'occupied' });
  });

  it('refuses a cycle', () => {
    const doc = removeElements(mlp(), new Set(), new Set(['e2']));
    expect(check(doc, 'd2', 'r1')).toMatchObject({ ok: false, reason: 'cycle' });
  });

  it('refuses a shape that inference rejects, with the diagnostic', () => {
    let doc = setParam(mlp(), 'in', 'shape', [1, 28, 28]);
    doc = removeElements(doc, new Set(), new Set(['e1']));
    const verdict = check(doc, 'in', 'd1');
    expect(verdict).toMatchObject({ ok: false, reason: 'shape' });
    expect(!verdict.ok && verdict.diagnostic?.hint.ja.length).toBeGreaterThan(0);
  });

  it('accepts a connection that fits', () => {
    const doc = addNode(mlp(), 'ReLU', { x: 0, y: 0 }).doc;
    expect(check(doc, 'd1', 'n1')).toEqual({ ok: true });
  });
});
