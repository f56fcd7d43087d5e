// The canvas's node model: React Flow nodes derived from the document and its validation report
// (editor/document.ts builds them). A layer node carries its catalog type, params and what
// validation found; a collapsed group is one block with the group's external ports.
import type { Edge, Node } from '@xyflow/react';
import type { Params, Severity, Text } from '../../../../engine/protocol/index.js';

/** The first problem validation found on a node, and how many there are. */
export interface NodeIssue {
  readonly severity: Severity;
  readonly message: Text;
  readonly hint: Text;
  readonly count: number;
}

export type NetNodeData = {
  readonly type: string;
  /** The document's params (omitted ones take the catalog default). */
  readonly params: Params;
  readonly label?: string;
  readonly group?: string;
  /** Trainable parameters, when inference reached the node. */
  readonly paramCount?: number;
  readonly issue?: NodeIssue;
};

/** One external port of a collapsed group: a member's port that has an edge leaving the group. */
export interface GroupPort {
  /** The handle id on the group block: `${memberId}:${port}`. */
  readonly handle: string;
  readonly label: string;
}

export type GroupNodeData = {
  readonly groupId: string;
  readonly label: string;
  readonly memberCount: number;
  readonly paramCount: number;
  readonly inputs: readonly GroupPort[];
  readonly outputs: readonly GroupPort[];
  readonly issue?: NodeIssue;
};

export type NetNode = Node<NetNodeData, 'layer'>;
export type GroupNode = Node<GroupNodeData, 'groupBlock'>;
export type FlowNode = NetNode | GroupNode;

export type ShapeEdgeData = { readonly invalid?: boolean };
export type FlowEdge = Edge<ShapeEdgeData>;

/** Collapsed groups appear as one flow node with this id. */
export const GROUP_NODE_PREFIX = 'group:';

export function groupNodeId(groupId: string): string {
  return `${GROUP_NODE_PREFIX}${groupId}`;
}

/** A group block's handle, `${memberId}:${port}`, back to the member node and port. */
export function splitGroupHandle(handle: string): { node: string; port: string } | null {
  const at = handle.lastIndexOf(':');
  return at <= 0 ? null : { node: handle.slice(0, at), port: handle.slice(at + 1) };
}
