// React Flow's node-kind → component map. Declared once at module scope: a new object on each
// render makes React Flow warn and re-mount every node.
import type { NodeTypes } from '@xyflow/react';
import { GroupNode } from './GroupNode';
import { LayerNode } from './LayerNode';

export const nodeTypes = { layer: LayerNode, groupBlock: GroupNode } satisfies NodeTypes;
