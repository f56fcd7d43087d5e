// The debugger on the canvas: what a layer node shows while debugging (highlight when it is the
// node stepped last, a breakpoint dot, its output and gradient in one line) and the edges: each
// carries its forward value above the line and its gradient below it, as the notes draw
// computational graphs, and is coloured by the gradient's magnitude. The editor only routes its
// edges through `useDebugEdges` and registers `debugEdgeTypes`; nodes call `useDebugNode`.
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useReactFlow, useStore, type EdgeProps, type EdgeTypes, type XYPosition } from '@xyflow/react';
import { useEffect, useMemo, useRef } from 'react';
import { specOf, type GraphDocument, type WireTensor } from '../../../engine/protocol/index.js';
import { LAYOUT_SPACING, layeredPositions } from '../editor/layout';
import type { FlowEdge, ShapeEdgeData } from '../editor/nodes/nodeModel';
import { edgeGradOf, meanAbs, sampleOf, useDebug, useDebugSelector, type DebugState } from './debugStore';
import { formatNumber, formatValues, SMALL_TENSOR, statsOf } from './format';

export interface DebugNodeView {
  readonly current: boolean;
  readonly breakpoint: boolean;
  /** 'forward' once its output is revealed, 'backward' once it has run backward. */
  readonly reached: 'forward' | 'backward' | null;
  readonly output: string | null;
  readonly grad: string | null;
}

/** A tensor's sample as its numbers (small) or as shape and mean ± std (large). */
export function describeSample(tensor: WireTensor, sample: number): string {
  const values = sampleOf(tensor, sample);
  if (values.length <= SMALL_TENSOR) return `[${formatValues(values)}]`;
  const s = statsOf(values);
  return `[${tensor.shape.slice(1).join('×')}] μ ${formatNumber(s.mean)} σ ${formatNumber(s.std)}`;
}

const nodeViews = new WeakMap<DebugState, Map<string, DebugNodeView | null>>();

function nodeView(s: DebugState, id: string): DebugNodeView | null {
  if (!s.active && !s.breakpoints.has(id)) return null;
  let views = nodeViews.get(s);
  if (views === undefined) nodeViews.set(s, (views = new Map()));
  if (views.has(id)) return views.get(id)!;
  const out = s.forward.get(id)?.[0];
  const grad = s.backward.get(id)?.outputGrads[0];
  const view: DebugNodeView = {
    current: s.current === id,
    breakpoint: s.breakpoints.has(id),
    reached: s.backward.has(id) ? 'backward' : s.forward.has(id) ? 'forward' : null,
    output: out === undefined ? null : describeSample(out, s.sample),
    grad: grad === undefined || grad === null ? null : describeSample(grad, s.sample),
  };
  views.set(id, view);
  return view;
}

/** The debugger's view of one canvas node; null outside debug mode. */
export function useDebugNode(id: string): DebugNodeView | null {
  return useDebugSelector((s) => nodeView(s, id));
}

/** A one-line summary under a node's ports while debugging. */
export function DebugNodeBadge({ view }: { readonly view: DebugNodeView }) {
  if (view.breakpoint && view.output === null && view.grad === null) return <span className="nw-node__breakpoint" data-testid="node-breakpoint" aria-hidden="true" />;
  return (
    <div className="nw-node__debug" data-testid="node-debug" data-reached={view.reached ?? 'none'}>
      {view.breakpoint && <span className="nw-node__breakpoint" data-testid="node-breakpoint" aria-hidden="true" />}
      {view.output !== null && (
        <span className="nw-node__debug-value" data-testid="node-debug-output">
          y = {view.output}
        </span>
      )}
      {view.grad !== null && (
        <span className="nw-node__debug-grad" data-testid="node-debug-grad">
          ∂L/∂y = {view.grad}
        </span>
      )}
    </div>
  );
}

export type DebugEdgeData = ShapeEdgeData & {
  /** The forward value on this edge (the sample shown), above the line. */
  readonly forward: string | null;
  /** The gradient flowing back along it, below the line. */
  readonly grad: string | null;
  /** The gradient's magnitude relative to the largest on the canvas, 0…1 (log scale); null before backward. */
  readonly heat: number | null;
  readonly magnitude: number | null;
};

/** The debug layout's grid: one rank per row, with room below each node for the numbers on its edge. */
const DEBUG_GRID = { column: 320, row: 220 } as const;

/**
 * While debugging, the canvas shows the graph laid out top to bottom with room between ranks
 * for the values written on the edges — display positions only: the document keeps its own (and
 * the editor stops dragging). The view fits the graph on entering and on leaving debug mode.
 */
export function useDebugPositions(doc: GraphDocument): ReadonlyMap<string, XYPosition> | null {
  const active = useDebugSelector((s) => s.active);
  const current = useDebugSelector((s) => s.current);
  const { fitView, getNode, getViewport, setCenter } = useReactFlow();
  const width = useStore((s) => s.width);
  const height = useStore((s) => s.height);
  const positions = useMemo(() => {
    if (!active) return null;
    // Auto-layout's ranks run left to right; here they run top to bottom, so an edge's label
    // (forward value above, gradient below) has a node's width to itself.
    const grid = layeredPositions(doc);
    return new Map([...grid].map(([id, p]) => [id, { x: (p.y / LAYOUT_SPACING.row) * DEBUG_GRID.column, y: (p.x / LAYOUT_SPACING.column) * DEBUG_GRID.row }]));
  }, [active, doc]);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const frame = requestAnimationFrame(() => void fitView({ padding: 0.15, duration: 200 }));
    return () => cancelAnimationFrame(frame);
  }, [active, fitView]);
  // Stepping follows the current node: when it is outside the view, the view centres on it
  // (same zoom), so a long graph can be stepped through without panning by hand.
  useEffect(() => {
    const node = current === null ? undefined : getNode(current);
    if (!active || node === undefined) return;
    const { x, y, zoom } = getViewport();
    const w = node.measured?.width ?? 180;
    const h = node.measured?.height ?? 80;
    const left = node.position.x * zoom + x;
    const top = node.position.y * zoom + y;
    if (left >= 0 && top >= 0 && left + w * zoom <= width && top + h * zoom <= height) return;
    void setCenter(node.position.x + w / 2, node.position.y + h / 2, { zoom, duration: 150 });
  }, [active, current, getNode, getViewport, setCenter, width, height]);
  return positions;
}

/** Decades of gradient magnitude the colour scale spans below the largest. */
const HEAT_DECADES = 4;

/** The editor's edges, carrying forward values and gradients while debugging (unchanged otherwise). */
export function useDebugEdges(edges: readonly FlowEdge[]): FlowEdge[] {
  const s = useDebug();
  return useMemo(() => {
    if (!s.active || s.document === null) return edges as FlowEdge[];
    const doc = s.document;
    const byId = new Map(doc.edges.map((e) => [e.id, e]));
    const found = edges.map((edge) => {
      const e = byId.get(edge.id);
      if (e === undefined) return { edge, forward: null, grad: null };
      const type = doc.nodes.find((n) => n.id === e.source.node)?.type ?? '';
      const output = Math.max(0, specOf(type)?.outputs.findIndex((o) => o.name === e.source.port) ?? 0);
      const forward = s.forward.get(e.source.node)?.[output] ?? null;
      const grad = edgeGradOf(s, e.source.node, output, e.target.node, e.target.port);
      return { edge, forward, grad };
    });
    const magnitudes = found.map((f) => (f.grad === null ? null : meanAbs(sampleOf(f.grad, s.sample))));
    const largest = Math.max(0, ...magnitudes.map((m) => m ?? 0));
    return found.map(({ edge, forward, grad }, i): FlowEdge => {
      const magnitude = magnitudes[i] ?? null;
      const heat = magnitude === null ? null : largest > 0 && magnitude > 0 ? Math.max(0, 1 + Math.log10(magnitude / largest) / HEAT_DECADES) : 0;
      const data: DebugEdgeData = {
        ...edge.data,
        forward: forward === null ? null : describeSample(forward, s.sample),
        grad: grad === null ? null : describeSample(grad, s.sample),
        heat,
        magnitude,
      };
      return { ...edge, type: 'debug', data };
    });
  }, [edges, s]);
}

/** Blue (small gradient) to red (the largest on the canvas). */
function heatColour(heat: number): string {
  return `hsl(${Math.round(220 - 220 * heat)} 80% 50%)`;
}

function DebugEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd, selected }: EdgeProps<FlowEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  const d = data as DebugEdgeData | undefined;
  const heat = d?.heat ?? null;
  const style = heat === null ? undefined : { stroke: heatColour(heat), strokeWidth: 1.5 + 3 * heat };
  return (
    <>
      <BaseEdge id={id} path={path} {...(markerEnd !== undefined ? { markerEnd } : {})} {...(style ? { style } : {})} className={selected ? 'is-selected' : undefined} />
      {(d?.forward != null || d?.grad != null) && (
        <EdgeLabelRenderer>
          <div
            className="nw-debug-edge"
            data-testid="debug-edge-label"
            data-edge-id={id}
            {...(d?.magnitude != null ? { 'data-magnitude': String(d.magnitude) } : {})}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            {d?.forward != null && (
              <span className="nw-debug-edge__forward" data-testid="debug-edge-forward">
                {d.forward}
              </span>
            )}
            {d?.grad != null && (
              <span className="nw-debug-edge__grad" data-testid="debug-edge-grad" style={heat !== null ? { color: heatColour(heat) } : undefined}>
                {d.grad}
              </span>
            )}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

/** Edge kinds the debugger adds to React Flow's (module scope: a new object per render re-mounts edges). */
export const debugEdgeTypes = { debug: DebugEdge } satisfies EdgeTypes;
