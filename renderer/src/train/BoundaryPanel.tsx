// The decision boundary of a graph with a 2-D input (perceptron, XOR, spirals): the model's
// prediction over a grid covering the data (one batched `predict`), coloured by class, with the
// training samples on top. Redrawn every few seconds while training, and when a run ends.
import { memo, useEffect, useMemo, useState } from 'react';
import { fromWireTensor, toWireTensor, type GraphDocument } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { useI18n } from '../i18n';
import { ChartCanvas, PanelCard, type Draw } from './Charts';

const GRID = 48;
const SAMPLES = 64;
const REFRESH_MS = 2000;
const CLASS_COLORS = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#d55e00', '#56b4e9', '#f0e442', '#000000'];

interface Boundary {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  /** Per grid cell: a class, or for a one-value output, the value (a probability or score). */
  readonly cells: Float32Array;
  readonly classes: boolean;
  readonly points: readonly { x: number; y: number; label: number | null }[];
}

/** True when the graph's Input takes two numbers per sample. */
export function isTwoD(doc: GraphDocument): boolean {
  const input = doc.nodes.find((n) => n.type === 'Input');
  const shape = input?.params['shape'];
  return Array.isArray(shape) && shape.length === 1 && shape[0] === 2;
}

async function computeBoundary(): Promise<Boundary> {
  const engine = getEngine();
  const { size } = await engine.call('data.samples', { indices: [0] });
  const n = Math.min(SAMPLES, size);
  const indices = Array.from({ length: n }, (_, i) => Math.floor((i * size) / n));
  const { samples } = await engine.call('data.samples', { indices });
  const points = samples.map((s) => {
    const v = fromWireTensor(s.input);
    return { x: v[0]!, y: v[1]!, label: s.label };
  });
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const padX = (Math.max(...xs) - Math.min(...xs)) * 0.15 || 1;
  const padY = (Math.max(...ys) - Math.min(...ys)) * 0.15 || 1;
  const [x0, x1, y0, y1] = [Math.min(...xs) - padX, Math.max(...xs) + padX, Math.min(...ys) - padY, Math.max(...ys) + padY];
  const grid = new Float32Array(GRID * GRID * 2);
  for (let j = 0; j < GRID; j++) {
    for (let i = 0; i < GRID; i++) {
      grid[(j * GRID + i) * 2] = x0 + ((i + 0.5) / GRID) * (x1 - x0);
      // Row 0 is the top of the picture: the largest y.
      grid[(j * GRID + i) * 2 + 1] = y1 - ((j + 0.5) / GRID) * (y1 - y0);
    }
  }
  const answer = await engine.call('predict', { input: toWireTensor(grid, [GRID * GRID, 2]) });
  const cells = answer.classes !== undefined ? Float32Array.from(answer.classes) : new Float32Array(fromWireTensor(answer.output));
  return { x0, x1, y0, y1, cells, classes: answer.classes !== undefined, points };
}

function drawBoundary(b: Boundary | null): Draw {
  return (ctx, width, height) => {
    if (b === null) return;
    const cw = width / GRID;
    const ch = height / GRID;
    // One output: a probability (sigmoid) splits at 0.5, a score (perceptron, hinge) at 0.
    const threshold = b.cells.every((v) => v >= 0 && v <= 1) ? 0.5 : 0;
    let reach = 1e-9;
    if (!b.classes) for (const v of b.cells) reach = Math.max(reach, Math.abs(v - threshold));
    for (let j = 0; j < GRID; j++) {
      for (let i = 0; i < GRID; i++) {
        const v = b.cells[j * GRID + i]!;
        if (b.classes) {
          ctx.fillStyle = CLASS_COLORS[v % CLASS_COLORS.length]!;
          ctx.globalAlpha = 0.3;
        } else {
          // Shaded by how sure the model is: the distance from the threshold.
          ctx.fillStyle = v >= threshold ? CLASS_COLORS[1]! : CLASS_COLORS[0]!;
          ctx.globalAlpha = 0.08 + 0.34 * (Math.abs(v - threshold) / reach);
        }
        ctx.fillRect(i * cw, j * ch, Math.ceil(cw), Math.ceil(ch));
      }
    }
    ctx.globalAlpha = 1;
    for (const p of b.points) {
      const x = ((p.x - b.x0) / (b.x1 - b.x0)) * width;
      const y = ((b.y1 - p.y) / (b.y1 - b.y0)) * height;
      ctx.fillStyle = CLASS_COLORS[(p.label ?? 0) % CLASS_COLORS.length]!;
      ctx.strokeStyle = '#000';
      ctx.beginPath();
      ctx.arc(x, y, 3.5, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
  };
}

export const BoundaryPanel = memo(function BoundaryPanel({ runState, active }: { readonly runState: string; readonly active: boolean }) {
  const { t } = useI18n();
  const [boundary, setBoundary] = useState<Boundary | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!active || runState === 'idle' || runState === 'loading') return undefined;
    let cancelled = false;
    const load = () =>
      computeBoundary().then(
        (b) => {
          if (!cancelled) {
            setBoundary(b);
            setError(null);
          }
        },
        (e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)),
      );
    void load();
    const timer = runState === 'running' ? setInterval(() => void load(), REFRESH_MS) : null;
    return () => {
      cancelled = true;
      if (timer !== null) clearInterval(timer);
    };
  }, [active, runState]);

  const draw = useMemo(() => drawBoundary(boundary), [boundary]);
  const csv = () => {
    const rows: (string | number | null)[][] = [['kind', 'x', 'y', 'value']];
    if (boundary === null) return rows;
    for (let j = 0; j < GRID; j++) {
      for (let i = 0; i < GRID; i++) {
        rows.push(['grid', boundary.x0 + ((i + 0.5) / GRID) * (boundary.x1 - boundary.x0), boundary.y1 - ((j + 0.5) / GRID) * (boundary.y1 - boundary.y0), boundary.cells[j * GRID + i]!]);
      }
    }
    for (const p of boundary.points) rows.push(['sample', p.x, p.y, p.label]);
    return rows;
  };

  return (
    <PanelCard id="boundary" title={t('panels.boundary.title')} csv={csv}>
      {boundary === null ? (
        <p className="nw-panel-card__note">{error ?? t('panels.empty')}</p>
      ) : (
        <ChartCanvas draw={draw} width={240} height={240} testId="boundary-canvas" label={t('panels.boundary.title')} />
      )}
    </PanelCard>
  );
});
