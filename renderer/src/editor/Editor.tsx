// The editor: palette, canvas, inspector and problems bar around the document store, the one
// source of truth (state/documentStore.ts). The canvas derives React Flow's nodes and edges from
// the document and its validation report on every revision; only transient UI state lives here
// (selection, positions during a drag, measured sizes). Every user edit is one store.apply, so
// one undo step — a drag included, applied once at drag end.
import { openGallery } from '../gallery/galleryStore';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  useConnection,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import { useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState, type DragEvent, type Ref } from 'react';
import { specOf, type GraphDocument, type PortRef } from '../../../engine/protocol/index.js';
import { debugEdgeTypes, useDebugEdges, useDebugPositions } from '../debug/debugCanvas';
import { DebugPanel } from '../debug/DebugPanel';
import { useDebugSelector } from '../debug/debugStore';
import { DebugToolbar } from '../debug/DebugToolbar';
import { useI18n } from '../i18n';
import type { Theme } from '../shell/useTheme';
import { documentStore, useDocument } from '../state/documentStore';
import { EditorActionsContext, type EditorActions } from './actions';
import { checkConnection, type ConnectionVerdict } from './connection';
import { NODE_DRAG_TYPE } from './dnd';
import { documentToFlow, EMPTY_FLOW, type FlowGraph } from './document';
import { addEdge, addNode, copySelection, groupNodes, moveNodes, paste, removeElements, setGroupCollapsed, type ClipboardContent, type XY } from './graphOps';
import { Inspector } from './Inspector';
import { commandFor, isTypingTarget, type EditorCommand } from './keyboard';
import { layeredPositions } from './layout';
import { GROUP_NODE_PREFIX, splitGroupHandle, type FlowEdge, type FlowNode } from './nodes/nodeModel';
import { nodeTypes } from './nodes/nodeTypes';
import { Palette } from './Palette';
import { ProblemsBar } from './ProblemsBar';
import { reportFor } from './validation';

// Half a node's usual width and its header's height (styles.css `.nw-node`): a dropped node
// appears centred under the cursor rather than hanging off it.
const DROP_OFFSET = { x: 90, y: 18 };
/** Graphs bigger than this render only what is in view, and open zoomed on their first nodes. */
const BIG_GRAPH = 200;
const OPEN_ON_FIRST = 12;
/** …at a zoom where labels can still be read. */
const OPEN_MIN_ZOOM = 0.5;
/** Each paste lands this much further down-right, so copies never hide their originals. */
const PASTE_STEP = 40;

/** Minimap nodes in their family's colour (a CSS variable: the minimap sets it as a style). */
function minimapColor(node: FlowNode): string {
  return node.type === 'groupBlock' ? 'var(--nw-family-structure)' : `var(--nw-family-${specOf(node.data.type)?.family ?? 'unknown'})`;
}

/** A canvas endpoint (a layer node's port, or a collapsed group block's `${member}:${port}` handle) in the document. */
function portRef(node: string, handle: string | null | undefined, fallback: string): PortRef {
  if (node.startsWith(GROUP_NODE_PREFIX) && handle) {
    const member = splitGroupHandle(handle);
    if (member) return member;
  }
  return { node, port: handle ?? fallback };
}

/** What the rest of the app may do with the editor's document. */
export interface EditorHandle {
  /** The document as it is on the canvas now. */
  getDocument(): GraphDocument;
  /** Replaces the canvas with a (loaded, migrated) document: clears undo history. */
  loadDocument(doc: GraphDocument): void;
  /** Selected node ids on the canvas (a collapsed group as `group:<id>`). */
  getSelection(): string[];
}

interface EditorProps {
  readonly theme: Theme;
  readonly ref?: Ref<EditorHandle>;
}

/** The reason an illegal connection is refused, next to the cursor while it is dragged. */
function ConnectionReason({ check }: { readonly check: (connection: Connection) => ConnectionVerdict }) {
  const { t, pick } = useI18n();
  const connection = useConnection();
  if (!connection.inProgress || connection.isValid !== false || !connection.toHandle) return null;
  const from = connection.fromHandle;
  const to = connection.toHandle;
  const [source, target] = from.type === 'source' ? [from, to] : [to, from];
  const verdict = check({ source: source.nodeId, sourceHandle: source.id ?? null, target: target.nodeId, targetHandle: target.id ?? null });
  if (verdict.ok) return null;
  const detail = verdict.diagnostic ? `: ${pick(verdict.diagnostic.message)}` : '';
  return (
    <div className="nw-connect-reason" role="status" data-testid="connection-reason" style={{ left: connection.pointer.x + 14, top: connection.pointer.y + 14 }}>
      <strong>{t(`connect.refused.${verdict.reason}`)}</strong>
      {detail}
    </div>
  );
}

export function Editor({ theme, ref }: EditorProps) {
  const { t } = useI18n();
  const { document: doc, canUndo, canRedo, generation } = useDocument();
  const report = useMemo(() => reportFor(doc), [doc]);
  const { screenToFlowPosition, fitView, setCenter, getNode } = useReactFlow<FlowNode, FlowEdge>();
  const canvasRef = useRef<HTMLDivElement>(null);

  // The previous conversion, so unchanged nodes and edges keep their objects (document.ts).
  const previousFlow = useRef<FlowGraph>(EMPTY_FLOW);
  const flow = useMemo(() => {
    const next = documentToFlow(doc, report, previousFlow.current);
    previousFlow.current = next;
    return next;
  }, [doc, report]);

  // Transient UI state: selection, positions while dragging, measured sizes. React Flow forgets a
  // node's size when it gets a new object for it, so every object made here carries the last size.
  const [selection, setSelection] = useState<ReadonlySet<string>>(() => new Set());
  const [edgeSelection, setEdgeSelection] = useState<ReadonlySet<string>>(() => new Set());
  const [dragPositions, setDragPositions] = useState<ReadonlyMap<string, XYPosition> | null>(null);
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const plain = useRef(new WeakMap<FlowNode, FlowNode>());
  // Only what is on the canvas counts as selected: undo, delete or collapsing a group can take a
  // selected node away. The latest selection is kept for commands, which run outside rendering.
  const liveSelection = useMemo(() => {
    const present = new Set(flow.nodes.map((n) => n.id));
    return new Set([...selection].filter((id) => present.has(id)));
  }, [flow, selection]);
  const selectionRef = useRef<ReadonlySet<string>>(liveSelection);
  selectionRef.current = liveSelection;

  // While debugging: display-only positions with room for the numbers on the edges.
  const debugPositions = useDebugPositions(doc);
  const nodes = useMemo(
    () =>
      flow.nodes.map((node): FlowNode => {
        const selected = selection.has(node.id);
        const position = dragPositions?.get(node.id) ?? debugPositions?.get(node.id);
        const size = measured.current.get(node.id);
        if (!selected && !position) {
          const cached = plain.current.get(node);
          if (cached && (cached.measured !== undefined || size === undefined)) return cached;
          const made = { ...node, ...(size ? { measured: size } : {}) };
          plain.current.set(node, made);
          return made;
        }
        return { ...node, selected, ...(position ? { position } : {}), ...(size ? { measured: size } : {}) };
      }),
    [flow, selection, dragPositions, debugPositions],
  );
  const edges = useMemo(() => flow.edges.map((edge) => (edgeSelection.has(edge.id) ? { ...edge, selected: true } : edge)), [flow, edgeSelection]);
  // While debugging, edges carry forward values and gradients (debug/debugCanvas.tsx).
  const shownEdges = useDebugEdges(edges);
  const debugging = useDebugSelector((s) => s.active);

  // A new document (open, load): nothing stays selected, and the graph comes into view. Only a
  // load does this (`generation`), never an edit: fitView is read through a ref for that reason.
  const fitViewRef = useRef(fitView);
  fitViewRef.current = fitView;
  useEffect(() => {
    setSelection(new Set());
    setEdgeSelection(new Set());
    measured.current.clear();
    // A big graph opens on its first nodes, readable, rather than as 1,000 specks: rendering only
    // what is in view (onlyRenderVisibleElements) then keeps opening it fast.
    const all = documentStore.document.nodes;
    // React Flow queues a fitView asked for before any node is measured and runs it when the
    // first one is: on an empty canvas that would re-zoom under the learner's first drop.
    if (all.length === 0) return;
    const nodes = all.length > BIG_GRAPH ? all.slice(0, OPEN_ON_FIRST).map((n) => ({ id: n.id })) : undefined;
    const frame = requestAnimationFrame(() => void fitViewRef.current({ padding: 0.2, maxZoom: 1.2, ...(nodes ? { nodes, minZoom: OPEN_MIN_ZOOM } : {}) }));
    return () => cancelAnimationFrame(frame);
  }, [generation]);

  useImperativeHandle(
    ref,
    () => ({
      getDocument: () => documentStore.document,
      loadDocument: (next) => documentStore.load(next),
      getSelection: () => [...selectionRef.current],
    }),
    [],
  );
  // ── React Flow's change stream → transient state ───────────────────────────────────────────
  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    let select: Map<string, boolean> | null = null;
    let moved: Map<string, XYPosition> | null = null;
    for (const change of changes) {
      if (change.type === 'dimensions' && change.dimensions) measured.current.set(change.id, change.dimensions);
      else if (change.type === 'select') (select ??= new Map()).set(change.id, change.selected);
      else if (change.type === 'position' && change.position && change.dragging) (moved ??= new Map()).set(change.id, change.position);
    }
    if (select) {
      const updates = select;
      setSelection((current) => {
        const next = new Set(current);
        for (const [id, on] of updates) {
          if (on) next.add(id);
          else next.delete(id);
        }
        return next.size === current.size && [...next].every((id) => current.has(id)) ? current : next;
      });
    }
    if (moved) {
      const updates = moved;
      setDragPositions((current) => new Map([...(current ?? []), ...updates]));
    }
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    const updates = changes.filter((c) => c.type === 'select');
    if (updates.length === 0) return;
    setEdgeSelection((current) => {
      const next = new Set(current);
      for (const change of updates) {
        if (change.selected) next.add(change.id);
        else next.delete(change.id);
      }
      return next;
    });
  }, []);

  // A drag ends as one undo step. A collapsed group block moves all its members by its delta.
  const onNodeDragStop = useCallback(
    (_event: unknown, _node: FlowNode, dragged: FlowNode[]) => {
      const positions = new Map<string, XY>();
      const current = documentStore.document;
      for (const node of dragged) {
        if (node.type === 'groupBlock') {
          const before = previousFlow.current.nodes.find((n) => n.id === node.id);
          if (!before) continue;
          const dx = node.position.x - before.position.x;
          const dy = node.position.y - before.position.y;
          for (const member of current.nodes) if (member.group === node.data.groupId) positions.set(member.id, { x: member.position.x + dx, y: member.position.y + dy });
        } else positions.set(node.id, node.position);
      }
      documentStore.apply((d) => moveNodes(d, positions));
      setDragPositions(null);
    },
    [],
  );

  // ── Connections ────────────────────────────────────────────────────────────────────────────
  // One verdict per (revision, endpoints): React Flow asks on every pointer move over a port.
  const verdicts = useRef<{ doc: GraphDocument | null; cache: Map<string, ConnectionVerdict> }>({ doc: null, cache: new Map() });
  const check = useCallback(
    (connection: Connection | Edge): ConnectionVerdict => {
      const current = documentStore.document;
      if (verdicts.current.doc !== current) verdicts.current = { doc: current, cache: new Map() };
      const key = `${connection.source}|${connection.sourceHandle ?? ''}|${connection.target}|${connection.targetHandle ?? ''}`;
      let verdict = verdicts.current.cache.get(key);
      if (!verdict) {
        verdict = checkConnection(current, reportFor(current), portRef(connection.source, connection.sourceHandle, 'out'), portRef(connection.target, connection.targetHandle, 'in'));
        verdicts.current.cache.set(key, verdict);
      }
      return verdict;
    },
    [],
  );
  const isValidConnection = useCallback((connection: Connection | Edge) => check(connection).ok, [check]);
  const onConnect = useCallback(
    (connection: Connection) => {
      if (!check(connection).ok) return;
      documentStore.apply((d) => addEdge(d, portRef(connection.source, connection.sourceHandle, 'out'), portRef(connection.target, connection.targetHandle, 'in')));
    },
    [check],
  );

  // ── Commands ───────────────────────────────────────────────────────────────────────────────
  const clipboard = useRef<{ content: ClipboardContent; pastes: number } | null>(null);

  /** Selected layer node ids, members of selected collapsed groups included. */
  const selectedNodeIds = useCallback((): Set<string> => {
    const ids = new Set<string>();
    for (const id of selectionRef.current) {
      if (id.startsWith(GROUP_NODE_PREFIX)) {
        const groupId = id.slice(GROUP_NODE_PREFIX.length);
        for (const node of documentStore.document.nodes) if (node.group === groupId) ids.add(node.id);
      } else ids.add(id);
    }
    return ids;
  }, []);

  const run = useCallback(
    (command: EditorCommand) => {
      switch (command) {
        case 'undo':
          documentStore.undo();
          return;
        case 'redo':
          documentStore.redo();
          return;
        case 'copy': {
          const content = copySelection(documentStore.document, selectedNodeIds());
          if (content) clipboard.current = { content, pastes: 0 };
          return;
        }
        case 'paste': {
          const held = clipboard.current;
          if (!held) return;
          held.pastes++;
          let ids: string[] = [];
          documentStore.apply((d) => {
            const result = paste(d, held.content, { x: PASTE_STEP * held.pastes, y: PASTE_STEP * held.pastes });
            ids = result.ids;
            return result.doc;
          });
          setSelection(new Set(ids));
          return;
        }
        case 'selectAll':
          setSelection(new Set(previousFlow.current.nodes.map((n) => n.id)));
          return;
        case 'group': {
          const ids = selectedNodeIds();
          if (ids.size === 0) return;
          documentStore.apply((d) => groupNodes(d, ids, t('group.defaultLabel')).doc);
          return;
        }
        case 'delete': {
          const nodeIds = selectedNodeIds();
          documentStore.apply((d) => removeElements(d, nodeIds, edgeSelection));
          setSelection(new Set());
          setEdgeSelection(new Set());
          return;
        }
        case 'fitView':
          void fitView({ padding: 0.2, duration: 200 });
          return;
        case 'layout':
          documentStore.apply((d) => moveNodes(d, layeredPositions(d)));
          requestAnimationFrame(() => void fitView({ padding: 0.2, duration: 200 }));
          return;
      }
    },
    [edgeSelection, fitView, selectedNodeIds, t],
  );

  // Shortcuts work anywhere in the window, except while typing in a field.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || isTypingTarget(event.target)) return;
      const command = commandFor(event);
      if (!command) return;
      event.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run]);

  const actions = useMemo<EditorActions>(() => ({ setGroupCollapsed: (groupId, collapsed) => documentStore.apply((d) => setGroupCollapsed(d, groupId, collapsed)) }), []);

  // ── Palette → canvas ───────────────────────────────────────────────────────────────────────
  const add = useCallback((type: string, position: XY) => {
    let id = '';
    documentStore.apply((d) => {
      const result = addNode(d, type, position);
      id = result.id;
      return result.doc;
    });
    setSelection(new Set([id]));
  }, []);

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
      add(type, { x: at.x - DROP_OFFSET.x, y: at.y - DROP_OFFSET.y });
    },
    [add, screenToFlowPosition],
  );

  // Keyboard path from the palette: drop at the centre of the visible canvas, stepping each
  // new node a little so repeated adds do not stack exactly.
  const onAddFromPalette = useCallback(
    (type: string) => {
      const box = canvasRef.current?.getBoundingClientRect();
      if (!box) return;
      const centre = screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
      const step = (documentStore.document.nodes.length % 6) * 24;
      add(type, { x: centre.x - DROP_OFFSET.x + step, y: centre.y - DROP_OFFSET.y + step });
    },
    [add, screenToFlowPosition],
  );

  const onReveal = useCallback(
    (nodeId: string) => {
      const group = documentStore.document.nodes.find((n) => n.id === nodeId)?.group;
      const collapsed = documentStore.document.groups.find((g) => g.id === group && g.collapsed);
      const id = collapsed ? `${GROUP_NODE_PREFIX}${collapsed.id}` : nodeId;
      setSelection(new Set([id]));
      const node = getNode(id);
      if (node) void setCenter(node.position.x + (node.measured?.width ?? 180) / 2, node.position.y + (node.measured?.height ?? 80) / 2, { zoom: 1, duration: 200 });
    },
    [getNode, setCenter],
  );

  const selected = useMemo(() => [...liveSelection], [liveSelection]);
  // Big graphs: render only what is in view (React Flow virtualisation); small ones render all,
  // so nodes just off-screen are measured and their edges drawn without a pop-in.
  const virtualise = doc.nodes.length > BIG_GRAPH;

  return (
    <EditorActionsContext.Provider value={actions}>
      <div className="nw-editor">
        <Palette onAdd={onAddFromPalette} />
        <div className="nw-editor__centre">
          <main className="nw-canvas" data-testid="canvas" ref={canvasRef} aria-label={t('canvas.label')}>
            <ReactFlow<FlowNode, FlowEdge>
              nodes={nodes}
              edges={shownEdges}
              nodeTypes={nodeTypes}
              edgeTypes={debugEdgeTypes}
              nodesDraggable={!debugging}
              onNodesChange={onNodesChange}
              onEdgesChange={onEdgesChange}
              onNodeDragStop={onNodeDragStop}
              onConnect={onConnect}
              isValidConnection={isValidConnection}
              onDrop={onDrop}
              onDragOver={onDragOver}
              colorMode={theme}
              // Delete and select-all go through the store (one undo step), not React Flow.
              deleteKeyCode={null}
              selectionKeyCode="Shift"
              multiSelectionKeyCode={['Meta', 'Control']}
              onlyRenderVisibleElements={virtualise}
              minZoom={0.05}
              maxZoom={2.5}
              defaultEdgeOptions={{ type: 'default' }}
            >
              <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable nodeColor={minimapColor} nodeBorderRadius={3} />
              <Panel position="top-left" className="nw-toolbar" aria-label={t('toolbar.label')}>
                <ToolbarButton label={t('toolbar.undo')} shortcut="Ctrl+Z" testId="toolbar-undo" disabled={!canUndo} onClick={() => run('undo')} icon="M4 7h6.5a3.5 3.5 0 0 1 0 7H7M4 7l3-3M4 7l3 3" />
                <ToolbarButton label={t('toolbar.redo')} shortcut="Ctrl+Shift+Z" testId="toolbar-redo" disabled={!canRedo} onClick={() => run('redo')} icon="M12 7H5.5a3.5 3.5 0 0 0 0 7H9M12 7 9 4M12 7l-3 3" />
                <span className="nw-toolbar__sep" aria-hidden="true" />
                <ToolbarButton label={t('toolbar.layout')} shortcut="Shift+L" testId="toolbar-layout" disabled={doc.nodes.length === 0} onClick={() => run('layout')} icon="M2.5 3.5h4v3h-4zM9.5 3.5h4v3h-4zM9.5 9.5h4v3h-4zM6.5 5h3M8 5v6h1.5" />
                <ToolbarButton label={t('toolbar.fit')} shortcut="Shift+1" testId="toolbar-fit" onClick={() => run('fitView')} icon="M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10" />
                <ToolbarButton label={t('toolbar.group')} shortcut="Ctrl+G" testId="toolbar-group" disabled={liveSelection.size === 0} onClick={() => run('group')} icon="M2.5 2.5h11v11h-11zM5 5h3v3H5zM8 8h3v3H8z" />
              </Panel>
              <DebugToolbar getDocument={() => documentStore.document} selected={selected} />
              <ConnectionReason check={check} />
            </ReactFlow>
            {doc.nodes.length === 0 && (
              <div className="nw-canvas__empty">
                <p className="nw-canvas__empty-title">{t('canvas.empty.title')}</p>
                <p className="nw-canvas__empty-body">{t('canvas.empty.body')}</p>
                <button type="button" className="nw-button nw-canvas__empty-action" data-testid="empty-open-gallery" title={t('gallery.openHint')} onClick={openGallery}>
                  {t('gallery.open')}
                </button>
              </div>
            )}
          </main>
          <ProblemsBar diagnostics={report.diagnostics} onReveal={onReveal} />
        </div>
        {debugging ? <DebugPanel selected={selected} /> : <Inspector selected={selected} report={report} />}
      </div>
    </EditorActionsContext.Provider>
  );
}

interface ToolbarButtonProps {
  readonly label: string;
  readonly shortcut: string;
  readonly testId: string;
  readonly icon: string;
  readonly disabled?: boolean;
  readonly onClick: () => void;
}

function ToolbarButton({ label, shortcut, testId, icon, disabled, onClick }: ToolbarButtonProps) {
  return (
    <button type="button" className="nw-toolbar__button" data-testid={testId} aria-label={label} title={`${label} (${shortcut})`} aria-keyshortcuts={shortcut.replace('Ctrl', 'Control')} disabled={disabled} onClick={onClick}>
      <svg viewBox="0 0 16 16" aria-hidden="true">
        <path d={icon} fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </button>
  );
}
