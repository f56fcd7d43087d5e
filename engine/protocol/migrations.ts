// Schema migrations (tldraw-style): one step per version bump, applied in order, so a file
// written by any earlier Netwright opens in this one. Every schema change adds a step here
// and bumps SCHEMA_VERSION in document.ts.

import { SCHEMA_VERSION } from './document.js';

type Json = Record<string, unknown>;

export interface Migration {
  readonly from: number;
  readonly to: number;
  readonly describe: string;
  readonly up: (doc: Json) => Json;
}

/**
 * Version 0 was the pre-release draft format: node positions as flat `x`/`y`, connections as
 * `links: [{ from: "node:port", to: "node:port" }]` and the training config under `train`.
 */
const v0ToV1: Migration = {
  from: 0,
  to: 1,
  describe: 'positions become {x, y}; links "node:port" become edges; train becomes training',
  up(doc) {
    const { links, train, nodes, ...rest } = doc;
    const out: Json = { ...rest, version: 1 };
    if (Array.isArray(nodes)) {
      out.nodes = nodes.map((node: unknown) => {
        if (!isObject(node)) return node;
        const { x, y, ...fields } = node;
        return x === undefined && y === undefined ? fields : { ...fields, position: { x: x ?? 0, y: y ?? 0 } };
      });
    } else if (nodes !== undefined) {
      out.nodes = nodes;
    }
    if (Array.isArray(links)) {
      out.edges = links.map((link: unknown, i) =>
        isObject(link) ? { id: `e${i + 1}`, source: splitRef(link.from), target: splitRef(link.to) } : link,
      );
    }
    if (train !== undefined) out.training = train;
    return out;
  },
};

export const MIGRATIONS: readonly Migration[] = [v0ToV1];
export const OLDEST_VERSION = MIGRATIONS[0]?.from ?? SCHEMA_VERSION;

/** Upgrades a raw document of `version` (OLDEST_VERSION ≤ version ≤ SCHEMA_VERSION) to the current version. */
export function migrate(doc: Json, version: number): Json {
  let current = doc;
  for (const step of MIGRATIONS) {
    if (step.from >= version) current = step.up(current);
  }
  return current;
}

function splitRef(ref: unknown): unknown {
  if (typeof ref !== 'string') return ref;
  const colon = ref.lastIndexOf(':');
  return colon < 0 ? { node: ref, port: 'out' } : { node: ref.slice(0, colon), port: ref.slice(colon + 1) };
}

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
