// The node catalog: every node type Netwright knows, gathered from one file per family.

import type { NodeSpec } from './types.js';

export const CATALOG: readonly NodeSpec[] = [];

const byType = new Map(CATALOG.map((spec) => [spec.type, spec]));

export function specOf(type: string): NodeSpec | undefined {
  return byType.get(type);
}
