// The lesson gallery (assets/lessons): every graph opens, validates without errors or
// warnings, names a dataset the engine knows, explains itself in English then Japanese, and
// is laid out top to bottom for the editor.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findDataset } from '../data/index.js';
import { loadDocument, validateGraph } from '../protocol/index.js';

const DIR = new URL('../../assets/lessons/', import.meta.url);
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.netwright.json')).sort();

describe('lessons', () => {
  it('covers lessons 1, 3, 9 and 10', () => {
    for (const name of ['perceptron-and', 'perceptron-or', 'perceptron-nand', 'perceptron-xor', 'xor-two-layer', 'mnist-mlp', 'overfitting', 'overfitting-dropout', 'mnist-cnn', 'fashion-mlp', 'fashion-cnn']) {
      expect(FILES).toContain(`${name}.netwright.json`);
    }
  });

  for (const file of FILES) {
    it(`${file} is a valid, documented, top-to-bottom graph`, () => {
      const loaded = loadDocument(readFileSync(new URL(file, DIR), 'utf8'));
      expect(loaded.diagnostics).toEqual([]);
      const doc = loaded.document!;
      expect(validateGraph(doc).diagnostics).toEqual([]);
      expect(doc.name).toMatch(/^Lesson \d+ — /);
      const [en, ja, ...rest] = doc.description!.split('\n');
      expect(rest).toEqual([]);
      expect(en).toMatch(/^[\x20-\x7e—×²·→−≤≥≈ηεσ’]+$/); // English first
      expect(ja).toMatch(/[\u3040-\u30ff\u4e00-\u9faf]/); // then Japanese
      expect(findDataset(doc.training.dataset.name)).toBeDefined();
      const y = new Map(doc.nodes.map((n) => [n.id, n.position.y]));
      for (const edge of doc.edges) expect(y.get(edge.target.node)!).toBeGreaterThan(y.get(edge.source.node)!);
    });
  }
});
