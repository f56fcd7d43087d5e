// The editor's graph and the document file map onto each other without loss: every example
// graph goes onto the canvas and back unchanged, and edits on the canvas show in the document.
import { describe, expect, it } from 'vitest';
import { loadDocument } from '../../../engine/protocol/index.js';
import { documentToFlow, emptyMeta, flowToDocument } from './document';

// Vite's glob import (Vitest runs it too): the renderer's tests see no Node APIs, as the renderer.
const EXAMPLES = import.meta.glob<string>('../../../assets/examples/*.netwright.json', { query: '?raw', import: 'default', eager: true });
const example = (name: string): string => {
  const text = Object.entries(EXAMPLES).find(([path]) => path.endsWith(`/${name}`))?.[1];
  if (text === undefined) throw new Error(`no example ${name}`);
  return text;
};

describe('editor document', () => {
  it.each(Object.keys(EXAMPLES).map((path) => path.split('/').at(-1)!))('round-trips %s', (name) => {
    const loaded = loadDocument(example(name));
    expect(loaded.document).toBeDefined();
    const doc = loaded.document!;
    const flow = documentToFlow(doc);
    expect(flow.nodes).toHaveLength(doc.nodes.length);
    expect(flow.edges.every((e) => e.sourceHandle && e.targetHandle)).toBe(true);
    expect(flowToDocument(flow.nodes, flow.edges, flow.meta)).toEqual(doc);
  });

  it('shows canvas edits in the document, and shares no arrays with it', () => {
    const doc = loadDocument(example('mnist-mlp.netwright.json')).document!;
    const flow = documentToFlow(doc);
    const moved = flow.nodes.map((n) => (n.id === 'relu' ? { ...n, position: { x: 300, y: 40 } } : n));
    const back = flowToDocument(moved, flow.edges.slice(1), flow.meta);
    expect(back.nodes.find((n) => n.id === 'relu')!.position).toEqual({ x: 300, y: 40 });
    expect(back.edges).toHaveLength(doc.edges.length - 1);
    (back.nodes[0]!.params['shape'] as number[])[0] = 1;
    expect(doc.nodes[0]!.params['shape']).toEqual([784]);
  });

  it('starts from an empty, default-filled document', () => {
    const doc = flowToDocument([{ id: 'n1', type: 'generic', position: { x: 1, y: 2 }, data: { type: 'Dense' } }], [], emptyMeta());
    expect(doc).toMatchObject({ format: 'netwright.graph', version: 1, name: 'Untitled', nodes: [{ id: 'n1', type: 'Dense', params: {}, position: { x: 1, y: 2 } }] });
    expect(doc.training.epochs).toBeGreaterThan(0);
  });
});
