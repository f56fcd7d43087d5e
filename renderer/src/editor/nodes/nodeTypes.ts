// React Flow's node-kind → component map. Declared once at module scope: a new object on each
// render makes React Flow warn and re-mount every node.
import type { NodeTypes } from '@xyflow/react';
import { GenericNode } from './GenericNode';

export const nodeTypes = { generic: GenericNode } satisfies NodeTypes;
