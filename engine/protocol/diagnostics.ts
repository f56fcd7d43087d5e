// Diagnostics: what validation says about a document or graph. Each carries a stable code
// (tests, docs and the UI key on it), where it is (node, port, param, edge or JSON path), and
// a message and a fix hint in both languages.

import type { ShapeFaultCode } from './catalog/types.js';
import type { Text } from './text.js';

export type DiagnosticCode =
  // The file itself
  | 'DOC_JSON'
  | 'DOC_NOT_OBJECT'
  | 'DOC_FORMAT'
  | 'DOC_VERSION'
  | 'DOC_VERSION_NEWER'
  | 'DOC_SCHEMA'
  // Nodes, params, groups
  | 'NODE_ID_DUPLICATE'
  | 'NODE_TYPE_UNKNOWN'
  | 'NODE_DEAD'
  | 'PARAM_UNKNOWN'
  | 'PARAM_TYPE'
  | 'PARAM_RANGE'
  | 'GROUP_UNKNOWN'
  | 'GROUP_ID_DUPLICATE'
  // Edges and ports
  | 'EDGE_ID_DUPLICATE'
  | 'EDGE_NODE_MISSING'
  | 'EDGE_PORT_UNKNOWN'
  | 'PORT_MULTIPLE_EDGES'
  | 'PORT_UNCONNECTED'
  // The graph as a whole
  | 'GRAPH_EMPTY'
  | 'GRAPH_CYCLE'
  | 'GRAPH_NO_INPUT'
  | 'GRAPH_NO_LOSS'
  | 'LOSS_DOUBLE_SOFTMAX'
  | 'MEMORY_BUDGET'
  | 'TRAINING_RANGE'
  | 'TRAINING_LR_HIGH'
  // Shape rules (from the catalog)
  | ShapeFaultCode;

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: Text;
  readonly hint: Text;
  readonly nodeId?: string;
  readonly port?: string;
  readonly param?: string;
  readonly edgeId?: string;
  /** Dotted path into the JSON file, for problems found before the graph exists. */
  readonly path?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
