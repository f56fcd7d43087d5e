// Document → canvas conversion: every example graph becomes one flow node per document node and
// one edge per document edge, with shapes as edge labels and param counts and problems on nodes;
// unchanged nodes keep their objects across edits; collapsed groups become one block.
import { describe, expect, it } from 'vitest';
import { loadDocument, type GraphDocument } from '../../../engine/protocol/index.js';
import { documentToFlow } from './document';
import { groupNodes, setGroupCollapsed, setParam } from './graphOps';
import { mlp } from './testGraphs';
import { reportFor } from './validation';

// Vite's glob import (Vitest runs it too): the renderer's tests see no Node APIs, as the renderer.
const EXAMPLES = import.meta.glob<string>('../../../assets/examples/*.netwright.json', { query: '?raw', import: 'default', eager: true });

const flowOf = (doc: GraphDocument) => documentToFlow(doc, reportFor(doc));

describe('documentToFlow', () => {
  it.each(Object.keys(EXAMPLES))('converts %s one to one', (path) => {
    const doc = loadDocument(EXAMPLES[path]!).document!;
    const flow = flowOf(doc);
    expect(flow.nodes.map((n) => n.id)).toEqual(doc.nodes.map((n) => n.id));
    expect(flow.edges.map((e) => [e.source, e.sourceHandle, e.target, e.targetHandle])).toEqual(doc.edges.map((e) => [e.source.node, e.source.port, e.target.node, e.target.port]));
  });

  it('labels edges with their shapes and nodes with param counts', () => {
    const flow = flowOf(mlp());
    expect(flow.edges.map((e) => e.label)).toEqual(['[N,784]', '[N,128]', '[N,128]', '[N,10]']);
    const d1 = flow.nodes.find((n) => n.id === 'd1')!;
    expect(d1.type === 'layer' && d1.data.paramCount).toBe(100_480);
    expect(flow.nodes.every((n) => n.type !== 'layer' || n.data.issue === undefined)).toBe(true);
  });

  it('puts the first error with its hint on the node', () => {
    const doc = setParam(mlp(), 'in', 'shape', [1, 28, 28]);
    const d1 = flowOf(doc).nodes.find((n) => n.id === 'd1')!;
    expect(d1.type === 'layer' && d1.data.issue?.severity).toBe('error');
    expect(d1.type === 'layer' && d1.data.issue?.hint.en.length).toBeGreaterThan(0);
  });

  it('reuses unchanged nodes and edges across an edit', () => {
    const before = mlp();
    const first = flowOf(before);
    const after = setParam(before, 'd2', 'units', 20);
    const second = documentToFlow(after, reportFor(after), first);
    const same = second.nodes.filter((n, i) => n === first.nodes[i]).map((n) => n.id);
    expect(same).toEqual(['in', 'd1', 'r1', 'loss']);
    expect(second.edges[0]).toBe(first.edges[0]);
    expect(second.edges[3]).not.toBe(first.edges[3]);
  });

  it('shows a collapsed group as one block with its external ports and total params', () => {
    const grouped = groupNodes(mlp(), new Set(['d1', 'r1']), 'Hidden');
    const doc = setGroupCollapsed(grouped.doc, grouped.groupId!, true);
    const flow = flowOf(doc);
    expect(flow.nodes.map((n) => n.id)).toEqual(['in', 'd2', 'loss', 'group:g1']);
    const block = flow.nodes.find((n) => n.type === 'groupBlock')!;
    expect(block.type === 'groupBlock' && block.data.paramCount).toBe(100_480);
    expect(block.type === 'groupBlock' && block.data.inputs.map((p) => p.handle)).toEqual(['d1:in']);
    expect(block.type === 'groupBlock' && block.data.outputs.map((p) => p.handle)).toEqual(['r1:out']);
    // The edge inside the group is hidden; the crossing ones attach to the block.
    expect(flow.edges.map((e) => `${e.source}/${e.sourceHandle}->${e.target}/${e.targetHandle}`)).toEqual(['in/out->group:g1/d1:in', 'group:g1/r1:out->d2/in', 'd2/out->loss/in']);
  });
});
