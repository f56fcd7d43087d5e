// Palette search and grouping, pure so it can be tested without a DOM. A query matches a node
// when every word of it appears in the node's type or its English or Japanese label, so a
// Japanese learner can type 畳み込み and an English one conv.
import type { Family, NodeSpec } from '../../../engine/protocol/index.js';

/** NFKC folds full-width letters and half-width kana, which Japanese IMEs produce freely. */
function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

export function matchesQuery(spec: NodeSpec, query: string): boolean {
  const words = normalise(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = normalise(`${spec.type} ${spec.label.en} ${spec.label.ja}`);
  return words.every((word) => haystack.includes(word));
}

export interface FamilyGroup {
  readonly family: Family;
  readonly specs: readonly NodeSpec[];
}

/** The catalog's matching entries, grouped in `families` order; empty groups are left out. */
export function groupCatalog(
  catalog: readonly NodeSpec[],
  families: readonly Family[],
  query: string,
): FamilyGroup[] {
  const matching = catalog.filter((spec) => matchesQuery(spec, query));
  return families
    .map((family) => ({ family, specs: matching.filter((spec) => spec.family === family) }))
    .filter((group) => group.specs.length > 0);
}
