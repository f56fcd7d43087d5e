// The node catalog: every node type Netwright knows, gathered from one file per family.
// Order is palette order: families as in FAMILIES, nodes within a family as their file lists them.

import { activationNodes } from './activations.js';
import { convolutionNodes } from './convolution.js';
import { denseNodes } from './dense.js';
import { inputNodes } from './input.js';
import { lossNodes } from './losses.js';
import { regularizationNodes } from './regularization.js';
import { structureNodes } from './structure.js';
import type { NodeSpec } from './types.js';

export const CATALOG: readonly NodeSpec[] = [
  ...inputNodes,
  ...denseNodes,
  ...activationNodes,
  ...convolutionNodes,
  ...regularizationNodes,
  ...structureNodes,
  ...lossNodes,
];

const byType = new Map(CATALOG.map((spec) => [spec.type, spec]));

export function specOf(type: string): NodeSpec | undefined {
  return byType.get(type);
}
