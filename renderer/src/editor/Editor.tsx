// The editor: palette, canvas and inspector around one graph state — the source of truth for
// the document in the renderer (an engine crash or restart never touches it). The canvas accepts
// nodes dragged from the palette and places them where they are dropped (in flow coordinates, so
// pan and zoom do not matter). Its handle reads and replaces the whole document.
import {
  addEdge,
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useEdgesState,
  useNodesState,
  useReactFlow,
  type Connection,
  type Edge,
  type XYPosition,
} from '@xyflow/react';
import { useCallback, useImperativeHandle, useMemo, useRef, useState, type DragEvent, type Ref } from 'react';
import { specOf, type GraphDocument } from '../../../engine/protocol/index.js';
import { useI18n } from '../i18n';
import type { Theme } from '../shell/useTheme';
import { NODE_DRAG_TYPE } from './dnd';
import { documentToFlow, emptyMeta, flowToDocument, type DocumentMeta } from './document';
import { Inspector } from './Inspector';
import { nodeTypes } from './nodes/nodeTypes';
import type { NetNode } from './nodes/nodeModel';
import { Palette } from './Palette';

// Half a node's usual width and its header's height (styles.css `.nw-node`): a dropped node
// appears centred under the cursor rather than hanging off it.
const DROP_OFFSET = { x: 90, y: 18 };

/** Minimap nodes in their family's colour (a CSS variable: the minimap sets it as a style). */
function minimapColor(node: NetNode): string {
  return `var(--nw-family-${specOf(node.data.type)?.family ?? 'unknown'})`;
}

/** What the rest of the app may do with the editor's document. */
export interface EditorHandle {
  /** The document as it is on the canvas now. */
  getDocument(): GraphDocument;
  /** Replaces the canvas with a (loaded, migrated) document. */
  loadDocument(doc: GraphDocument): void;
}

interface EditorProps {
  readonly theme: Theme;
  readonly ref?: Ref<EditorHandle>;
}

export function Editor({ theme, ref }: EditorProps) {
  const { t } = useI18n();
  const [nodes, setNodes, onNodesChange] = useNodesState<NetNode>([]);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([]);
  const [meta, setMeta] = useState<DocumentMeta>(emptyMeta);
  const { screenToFlowPosition, fitView } = useReactFlow<NetNode, Edge>();
  const canvasRef = useRef<HTMLDivElement>(null);
  const nextId = useRef(1);
  // The latest state, for the handle: callers read the document outside React's render cycle.
  const latest = useRef({ nodes, edges, meta });
  latest.current = { nodes, edges, meta };

  useImperativeHandle(
    ref,
    () => ({
      getDocument: () => flowToDocument(latest.current.nodes, latest.current.edges, latest.current.meta),
      loadDocument: (doc) => {
        const flow = documentToFlow(doc);
        latest.current = { nodes: flow.nodes, edges: flow.edges, meta: flow.meta };
        setNodes(flow.nodes);
        setEdges(flow.edges);
        setMeta(flow.meta);
        requestAnimationFrame(() => void fitView({ padding: 0.2 }));
      },
    }),
    [setNodes, setEdges, fitView],
  );

  const addNode = useCallback(
    (type: string, position: XYPosition) => {
      // Ids stay unique after a document with its own ids (n1, n2 …) was loaded.
      let id = `n${nextId.current++}`;
      while (latest.current.nodes.some((node) => node.id === id)) id = `n${nextId.current++}`;
      setNodes((current) => [
        ...current.map((node) => (node.selected ? { ...node, selected: false } : node)),
        { id, type: 'generic', position, data: { type }, selected: true },
      ]);
    },
    [setNodes],
  );

  const onDragOver = useCallback((event: DragEvent<HTMLDivElement>) => {
    if (!event.dataTransfer.types.includes(NODE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent<HTMLDivElement>) => {
      const type = event.dataTransfer.getData(NODE_DRAG_TYPE);
      if (!type || !specOf(type)) return;
      event.preventDefault();
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(type, { x: at.x - DROP_OFFSET.x, y: at.y - DROP_OFFSET.y });
    },
    [addNode, screenToFlowPosition],
  );

  // Keyboard path from the palette: drop at the centre of the visible canvas, stepping each
  // new node a little so repeated adds do not stack exactly.
  const onAddFromPalette = useCallback(
    (type: string) => {
      const box = canvasRef.current?.getBoundingClientRect();
      if (!box) return;
      const centre = screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
      const step = (nextId.current % 6) * 24;
      addNode(type, { x: centre.x - DROP_OFFSET.x + step, y: centre.y - DROP_OFFSET.y + step });
    },
    [addNode, screenToFlowPosition],
  );

  const onConnect = useCallback((connection: Connection) => setEdges((current) => addEdge(connection, current)), [setEdges]);

  const selected = useMemo(() => nodes.filter((node) => node.selected), [nodes]);

  return (
    <div className="nw-editor">
      <Palette onAdd={onAddFromPalette} />
      <main className="nw-canvas" data-testid="canvas" ref={canvasRef} aria-label={t('canvas.label')}>
        <ReactFlow<NetNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onDrop={onDrop}
          onDragOver={onDragOver}
          colorMode={theme}
          deleteKeyCode={['Backspace', 'Delete']}
          minZoom={0.2}
          maxZoom={2.5}
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
          <Controls />
          <MiniMap pannable zoomable nodeColor={minimapColor} nodeBorderRadius={3} />
        </ReactFlow>
        {nodes.length === 0 && (
          <div className="nw-canvas__empty" aria-hidden="true">
            <p className="nw-canvas__empty-title">{t('canvas.empty.title')}</p>
            <p className="nw-canvas__empty-body">{t('canvas.empty.body')}</p>
          </div>
        )}
      </main>
      <Inspector selected={selected} />
    </div>
  );
}
