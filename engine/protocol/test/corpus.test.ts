// The invalid-graph corpus (Netron's models.json idea): every file under invalid/ is listed in
// invalid/index.json with the error code it must produce and where. Loading or validating
// must report exactly that, in both languages, and never throw.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../diagnostics.js';
import { loadDocument } from '../load.js';
import { validateGraph } from '../validate.js';

interface Case {
  file: string;
  code: string;
  nodeId?: string;
  port?: string;
  param?: string;
  edgeId?: string;
  path?: string;
}

const dir = new URL('./invalid/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as Case[];

/** Everything the loader and the validator say about one file. */
export function diagnose(source: string): readonly Diagnostic[] {
  const loaded = loadDocument(source);
  if (!loaded.document) return loaded.diagnostics;
  return [...loaded.diagnostics, ...validateGraph(loaded.document).diagnostics];
}

describe('invalid graph corpus', () => {
  it('has at least 30 files, every one listed once', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.netwright.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(cases.map((c) => c.file).sort()).toEqual(files);
  });

  it.each(cases.map((c) => [c.file, c] as const))('%s', (file, expected) => {
    const diagnostics = diagnose(readFileSync(new URL(file, dir), 'utf8'));
    const match = diagnostics.find((d) => d.code === expected.code && d.severity === 'error');
    expect(match, `got ${diagnostics.map((d) => d.code).join(', ') || 'nothing'}`).toBeDefined();
    for (const key of ['nodeId', 'port', 'param', 'edgeId', 'path'] as const) {
      if (expected[key] !== undefined) expect(match![key], key).toBe(expected[key]);
    }
    for (const d of diagnostics) {
      expect(d.message.en.length).toBeGreaterThan(0);
      expect(d.message.ja.length).toBeGreaterThan(0);
      expect(d.hint.en.length).toBeGreaterThan(0);
      expect(d.hint.ja.length).toBeGreaterThan(0);
    }
  });
});
