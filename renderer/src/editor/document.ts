// The editor's graph ⇄ the graph document (engine/protocol/document.ts). The canvas holds nodes
// and edges in React Flow's shape; everything else of the document (name, training config,
// groups, UI state) rides along unchanged as `meta`, so a document loaded and read back is the
// same document. Pure, so it is unit-tested in Node.
import type { Edge } from '@xyflow/react';
import { GRAPH_FORMAT, SCHEMA_VERSION, emptyDocument, type GraphDocument, type GraphEdge, type GraphNode, type Params } from '../../../engine/protocol/index.js';
import type { NetNode } from './nodes/nodeModel';

/** The document without its graph: what the canvas does not hold. */
export type DocumentMeta = Omit<GraphDocument, 'format' | 'version' | 'nodes' | 'edges'>;

export interface FlowGraph {
  readonly nodes: NetNode[];
  readonly edges: Edge[];
  readonly meta: DocumentMeta;
}

export function emptyMeta(): DocumentMeta {
  const { format: _format, version: _version, nodes: _nodes, edges: _edges, ...meta } = emptyDocument();
  return meta;
}

export function documentToFlow(doc: GraphDocument): FlowGraph {
  const { format: _format, version: _version, nodes, edges, ...meta } = doc;
  return {
    nodes: nodes.map((node) => ({
      id: node.id,
      type: 'generic' as const,
      position: { x: node.position.x, y: node.position.y },
      data: {
        type: node.type,
        params: copyParams(node.params),
        ...(node.label !== undefined ? { label: node.label } : {}),
        ...(node.group !== undefined ? { group: node.group } : {}),
      },
    })),
    edges: edges.map((edge) => ({
      id: edge.id,
      source: edge.source.node,
      sourceHandle: edge.source.port,
      target: edge.target.node,
      targetHandle: edge.target.port,
    })),
    meta,
  };
}

export function flowToDocument(nodes: readonly NetNode[], edges: readonly Edge[], meta: DocumentMeta): GraphDocument {
  return {
    format: GRAPH_FORMAT,
    version: SCHEMA_VERSION,
    ...meta,
    nodes: nodes.map((node) => ({
      id: node.id,
      type: node.data.type,
      ...(node.data.label !== undefined ? { label: node.data.label } : {}),
      params: copyParams(node.data.params),
      position: { x: node.position.x, y: node.position.y },
      ...(node.data.group !== undefined ? { group: node.data.group } : {}),
    })),
    // An edge dragged onto a node without a port handle has none; the catalog's usual names stand in.
    edges: edges.map(
      (edge): GraphEdge => ({
        id: edge.id,
        source: { node: edge.source, port: edge.sourceHandle ?? 'out' },
        target: { node: edge.target, port: edge.targetHandle ?? 'in' },
      }),
    ),
  };
}

/** A deep copy of a node's params: arrays (shapes, kernel sizes) are never shared between the two sides. */
function copyParams(params: Params | undefined): GraphNode['params'] {
  const out: GraphNode['params'] = {};
  for (const [name, value] of Object.entries(params ?? {})) out[name] = Array.isArray(value) ? [...(value as readonly number[])] : (value as string | number | boolean);
  return out;
}
