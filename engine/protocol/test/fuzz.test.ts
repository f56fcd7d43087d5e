// The validator must never throw, whatever a file contains: random mutations of the example
// graphs (deleted fields, wrong types, swapped ids, huge numbers, rewired edges) all come back
// as diagnostics. Seeded, so a failure reproduces.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../catalog/index.js';
import { loadParsed } from '../load.js';
import { validateGraph } from '../validate.js';

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const examples = ['mnist-mlp', 'lenet', 'residual-block'].map((name) =>
  JSON.parse(readFileSync(new URL(`../../../assets/examples/${name}.netwright.json`, import.meta.url), 'utf8')),
);

const WEIRD: unknown[] = [null, 0, -1, 1e12, 0.5, '', 'x', true, [], {}, [0], [-1, -1], [1e9, 1e9, 1e9], 'in0', 'out'];

/** Replaces one random value somewhere in the tree. */
function mutate(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || random() < 0.1) return WEIRD[Math.floor(random() * WEIRD.length)];
    const copy = [...value];
    const i = Math.floor(random() * copy.length);
    const roll = random();
    if (roll < 0.15) copy.splice(i, 1);
    else if (roll < 0.3) copy.push(structuredClone(copy[i]));
    else copy[i] = mutate(copy[i], random);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (keys.length === 0 || random() < 0.1) return WEIRD[Math.floor(random() * WEIRD.length)];
    const key = keys[Math.floor(random() * keys.length)]!;
    if (random() < 0.1) delete copy[key];
    else if (key === 'type' && random() < 0.5) copy[key] = CATALOG[Math.floor(random() * CATALOG.length)]?.type;
    else copy[key] = mutate(copy[key], random);
    return copy;
  }
  return random() < 0.5 ? WEIRD[Math.floor(random() * WEIRD.length)] : value;
}

describe('validator robustness', () => {
  it('never throws on 3,000 mutated graphs', () => {
    const random = mulberry32(1234);
    let validated = 0;
    for (let i = 0; i < 3000; i++) {
      let doc: unknown = examples[i % examples.length];
      const rounds = 1 + Math.floor(random() * 4);
      for (let r = 0; r < rounds; r++) doc = mutate(doc, random);
      const loaded = loadParsed(doc);
      if (loaded.document) {
        const report = validateGraph(loaded.document);
        expect(Array.isArray(report.diagnostics)).toBe(true);
        validated++;
      } else {
        expect(loaded.diagnostics.length).toBeGreaterThan(0);
      }
    }
    // The mutations must reach the validator often, not just the schema check.
    expect(validated).toBeGreaterThan(500);
  });
});
