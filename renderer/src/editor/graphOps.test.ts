// Pure document edits: ids stay unique, copy/paste remaps ids and keeps only inner edges,
// deleting a node takes its edges along, groups collapse and dissolve.
import { describe, expect, it } from 'vitest';
import { emptyDocument } from '../../../engine/protocol/index.js';
import { mlp } from './testGraphs';
import { addEdge, addNode, copySelection, freshId, groupNodes, moveNodes, paste, removeElements, setLabel, setParam, ungroup } from './graphOps';

describe('graph edits', () => {
  it('gives fresh ids that never collide', () => {
    const taken = new Set(['n1', 'n3']);
    expect([freshId('n', taken), freshId('n', taken), freshId('n', taken)]).toEqual(['n2', 'n4', 'n5']);
  });

  it('adds a node with catalog defaults and never shares array params', () => {
    const a = addNode(emptyDocument(), 'Input', { x: 1, y: 2 });
    const b = addNode(a.doc, 'Input', { x: 3, y: 4 });
    expect(b.doc.nodes.map((n) => n.id)).toEqual(['n1', 'n2']);
    expect(b.doc.nodes[0]!.params['shape']).toEqual([784]);
    expect(b.doc.nodes[0]!.params['shape']).not.toBe(b.doc.nodes[1]!.params['shape']);
  });

  it('returns the same document when nothing changes (no empty undo steps)', () => {
    const doc = mlp();
    expect(setParam(doc, 'd1', 'units', 128)).toBe(doc);
    expect(setLabel(doc, 'd1', '  ')).toBe(doc);
    expect(moveNodes(doc, new Map([['d1', { x: 200, y: 0 }]]))).toBe(doc);
    expect(removeElements(doc, new Set())).toBe(doc);
  });

  it('removes a node with its edges', () => {
    const doc = removeElements(mlp(), new Set(['r1']));
    expect(doc.nodes.map((n) => n.id)).toEqual(['in', 'd1', 'd2', 'loss']);
    expect(doc.edges.map((e) => e.id)).toEqual(['e1', 'e4']);
  });

  it('drops edges into ports that a smaller `inputs` param removes', () => {
    let doc = addNode(mlp(), 'Add', { x: 0, y: 0 }).doc;
    doc = setParam(doc, 'n1', 'inputs', 3);
    doc = addEdge(doc, { node: 'd1', port: 'out' }, { node: 'n1', port: 'in3' });
    expect(doc.edges.some((e) => e.target.port === 'in3')).toBe(true);
    doc = setParam(doc, 'n1', 'inputs', 2);
    expect(doc.edges.some((e) => e.target.port === 'in3')).toBe(false);
  });

  it('copies the selection with its inner edges and pastes with fresh, remapped ids', () => {
    const doc = mlp();
    const content = copySelection(doc, new Set(['d1', 'r1', 'd2']))!;
    expect(content.edges.map((e) => e.id)).toEqual(['e2', 'e3']);
    const pasted = paste(doc, content, { x: 40, y: 40 });
    expect(pasted.doc.nodes).toHaveLength(8);
    expect(pasted.doc.edges).toHaveLength(6);
    expect(pasted.ids).toEqual(['n1', 'n2', 'n3']);
    const newEdges = pasted.doc.edges.slice(4);
    expect(newEdges.map((e) => `${e.source.node}->${e.target.node}`)).toEqual(['n1->n2', 'n2->n3']);
    expect(new Set(pasted.doc.edges.map((e) => e.id)).size).toBe(6);
    expect(pasted.doc.nodes[5]!.position).toEqual({ x: 240, y: 40 });
    // The copy is independent of later edits to the original.
    expect(content.nodes[0]).not.toBe(doc.nodes[1]);
  });

  it('groups nodes and ungroups them', () => {
    const grouped = groupNodes(mlp(), new Set(['d1', 'r1']), 'Hidden');
    expect(grouped.groupId).toBe('g1');
    expect(grouped.doc.groups).toEqual([{ id: 'g1', label: 'Hidden', collapsed: false }]);
    expect(grouped.doc.nodes.filter((n) => n.group === 'g1').map((n) => n.id)).toEqual(['d1', 'r1']);
    const back = ungroup(grouped.doc, 'g1');
    expect(back.groups).toEqual([]);
    expect(back.nodes.every((n) => n.group === undefined)).toBe(true);
    // Deleting all members deletes the group too.
    expect(removeElements(grouped.doc, new Set(['d1', 'r1'])).groups).toEqual([]);
  });
});
