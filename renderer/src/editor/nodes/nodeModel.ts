// The canvas's node model: a React Flow node whose data names its catalog type, with the
// document's params, label and group (editor/document.ts maps it to and from the file).
import type { Node } from '@xyflow/react';
import type { NodeSpec, Params } from '../../../../engine/protocol/index.js';

export type NetNodeData = {
  readonly type: string;
  /** Params set on this node; omitted ones take the catalog default. */
  readonly params?: Params;
  readonly label?: string;
  readonly group?: string;
};

/** The one React Flow node kind for now; per-family components come later (DESIGN.md §6). */
export type NetNode = Node<NetNodeData, 'generic'>;

/** A spec's parameters at their defaults: what a freshly dropped node starts with. */
export function defaultParams(spec: NodeSpec): Params {
  return Object.fromEntries(spec.params.map((param) => [param.name, param.default]));
}
