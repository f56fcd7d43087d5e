// Loading documents: defaults are filled in, the v0 draft format is migrated up, and saving
// then loading gives back the same document.

import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, emptyDocument, serializeDocument } from '../document.js';
import { loadDocument } from '../load.js';
import { MIGRATIONS } from '../migrations.js';
import { validateGraph } from '../validate.js';

const draftV0 = {
  format: 'netwright.graph',
  version: 0,
  name: 'draft',
  nodes: [
    { id: 'in', type: 'Input', params: { shape: [784] }, x: 10, y: 20 },
    { id: 'fc', type: 'Dense', params: { units: 10 }, x: 10, y: 110 },
    { id: 'loss', type: 'CrossEntropy', params: {} },
  ],
  links: [
    { from: 'in:out', to: 'fc:in' },
    { from: 'fc:out', to: 'loss:in' },
  ],
  train: { batchSize: 32, optimizer: { type: 'sgd', lr: 0.1 } },
};

describe('loading and migrations', () => {
  it('upgrades a version 0 draft to the current version', () => {
    const loaded = loadDocument(JSON.stringify(draftV0));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.migratedFrom).toBe(0);
    const doc = loaded.document!;
    expect(doc.version).toBe(SCHEMA_VERSION);
    expect(doc.nodes[0]!.position).toEqual({ x: 10, y: 20 });
    expect(doc.nodes[2]!.position).toEqual({ x: 0, y: 0 });
    expect(doc.edges).toEqual([
      { id: 'e1', source: { node: 'in', port: 'out' }, target: { node: 'fc', port: 'in' } },
      { id: 'e2', source: { node: 'fc', port: 'out' }, target: { node: 'loss', port: 'in' } },
    ]);
    expect(doc.training.batchSize).toBe(32);
    expect(doc.training.optimizer).toEqual({ type: 'sgd', lr: 0.1 });
    expect(validateGraph(doc).diagnostics).toEqual([]);
  });

  it('has one migration step per version, ending at the current one', () => {
    MIGRATIONS.forEach((m, i) => {
      expect(m.to).toBe(m.from + 1);
      if (i > 0) expect(m.from).toBe(MIGRATIONS[i - 1]!.to);
    });
    expect(MIGRATIONS.at(-1)?.to).toBe(SCHEMA_VERSION);
  });

  it('fills defaults, and a saved document loads back identical', () => {
    const loaded = loadDocument('{"format":"netwright.graph","version":1,"nodes":[{"id":"a","type":"Input"}]}');
    const doc = loaded.document!;
    expect(doc.nodes[0]).toEqual({ id: 'a', type: 'Input', params: {}, position: { x: 0, y: 0 } });
    expect(doc.training.optimizer.type).toBe('adam');
    expect(doc.edges).toEqual([]);
    expect(loadDocument(serializeDocument(doc)).document).toEqual(doc);
  });

  it('an empty document is valid to edit and reports only that it is empty', () => {
    const codes = validateGraph(emptyDocument()).diagnostics.map((d) => d.code);
    expect(codes).toEqual(['GRAPH_EMPTY']);
  });

  it('a JSON syntax error names the position', () => {
    const [d] = loadDocument('{"format": "netwright.graph",\n "version": 1,, }').diagnostics;
    expect(d?.code).toBe('DOC_JSON');
    expect(d?.message.en).toMatch(/position|line|column/i);
  });
});
