// Drawing primitives of the training panels, on <canvas> (no chart library): a card that
// frames a panel with its PNG/CSV export buttons, a canvas that redraws when its size or data
// change, a line chart with several series and a legend, and a grey/heat image of a 2-D array.
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useI18n } from '../i18n';
import { niceTicks, yRange, type Point } from './chartMath';
import { downloadCsv, downloadPng } from './exportFile';

type CsvRows = readonly (readonly (string | number | null | undefined)[])[];

interface PanelCardProps {
  readonly id: string;
  readonly title: string;
  /** The plotted numbers, computed only when the user asks for the CSV. */
  readonly csv?: () => CsvRows;
  readonly tools?: ReactNode;
  readonly children: ReactNode;
}

/** Every canvas of a panel stacked into one picture (curves side by side become one PNG). */
function composeCanvases(root: HTMLElement): HTMLCanvasElement | null {
  const canvases = [...root.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0);
  if (canvases.length === 0) return null;
  const gap = 8;
  const out = document.createElement('canvas');
  out.width = Math.max(...canvases.map((c) => c.width));
  out.height = canvases.reduce((h, c) => h + c.height, 0) + gap * (canvases.length - 1);
  const ctx = out.getContext('2d');
  if (ctx === null) return null;
  let y = 0;
  for (const c of canvases) {
    ctx.drawImage(c, 0, y);
    y += c.height + gap;
  }
  return out;
}

/** A panel: title, its own tools, PNG (all its pictures) and CSV export, and a button that folds it away. */
export function PanelCard({ id, title, csv, tools, children }: PanelCardProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState(true);
  const body = useRef<HTMLDivElement>(null);
  const png = () => {
    const picture = body.current !== null ? composeCanvases(body.current) : null;
    if (picture !== null && body.current !== null) downloadPng(picture, `netwright-${id}`, body.current);
  };
  return (
    <section className="nw-panel-card" data-testid={`panel-${id}`} data-open={open} aria-label={title}>
      <header className="nw-panel-card__header">
        <button type="button" className="nw-panel-card__fold" aria-expanded={open} data-testid={`panel-${id}-fold`} onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {title}
        </button>
        {open && <div className="nw-panel-card__tools">{tools}</div>}
        {open && (
          <button type="button" className="nw-field__small-button" data-testid={`panel-${id}-png`} title={t('panels.png.hint')} onClick={png}>
            PNG
          </button>
        )}
        {open && csv !== undefined && (
          <button type="button" className="nw-field__small-button" data-testid={`panel-${id}-csv`} title={t('panels.csv.hint')} onClick={() => downloadCsv(csv(), `netwright-${id}`)}>
            CSV
          </button>
        )}
      </header>
      {open && (
        <div className="nw-panel-card__body" ref={body}>
          {children}
        </div>
      )}
    </section>
  );
}

export interface Theme {
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly panel: string;
}

function themeOf(element: Element): Theme {
  const style = getComputedStyle(element);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return { text: v('--nw-text', '#1d2129'), muted: v('--nw-text-muted', '#5f6672'), grid: v('--nw-border', '#e2e4e9'), panel: v('--nw-panel', '#fff') };
}

export type Draw = (ctx: CanvasRenderingContext2D, width: number, height: number, theme: Theme) => void;

/**
 * A canvas filling its box (or of a fixed CSS size) at the screen's pixel density, redrawn
 * when `draw` changes (memoise it on its data) or the box is resized.
 */
export function ChartCanvas({ draw, height, width, canvasRef, testId, label, ...data }: {
  readonly draw: Draw;
  readonly height: number;
  readonly width?: number;
  readonly canvasRef?: RefObject<HTMLCanvasElement | null>;
  readonly testId?: string;
  readonly label?: string;
  readonly [key: `data-${string}`]: string | number | undefined;
}) {
  const own = useRef<HTMLCanvasElement>(null);
  const ref = canvasRef ?? own;
  const [boxWidth, setBoxWidth] = useState(width ?? 300);
  useEffect(() => {
    const canvas = ref.current;
    if (canvas === null || width !== undefined) return undefined;
    const observer = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0) setBoxWidth(w);
    });
    observer.observe(canvas.parentElement ?? canvas);
    return () => observer.disconnect();
  }, [ref, width]);
  const cssWidth = width ?? boxWidth;
  useEffect(() => {
    const canvas = ref.current;
    if (canvas === null) return;
    const dpr = window.devicePixelRatio || 1;
    // Resizing a canvas reallocates it: only when the size really changed.
    if (canvas.width !== Math.round(cssWidth * dpr)) canvas.width = Math.round(cssWidth * dpr);
    if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, height);
    draw(ctx, cssWidth, height, themeOf(canvas));
  }, [ref, draw, cssWidth, height]);
  return <canvas ref={ref} className="nw-chart" style={{ width: width !== undefined ? `${width}px` : '100%', height: `${height}px` }} data-testid={testId} role="img" aria-label={label} {...data} />;
}

export interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly Point[];
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : Number(v.toPrecision(3)).toString();
}

/** Series over a shared x axis; `logY` plots log10(y) with ticks labelled in y. */
export function drawLines(series: readonly Series[], logY: boolean, xLabel: string): Draw {
  return (ctx, width, height, theme) => {
    const left = 46;
    const right = 8;
    const top = 8;
    const bottom = 24;
    const plotW = Math.max(10, width - left - right);
    const plotH = Math.max(10, height - top - bottom);
    const xs = series.flatMap((s) => s.points.map((p) => p.x));
    const range = yRange(series.flatMap((s) => s.points.map((p) => p.y)), logY);
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = theme.muted;
    if (xs.length === 0 || range === null) {
      ctx.fillText('—', left + plotW / 2, top + plotH / 2);
      return;
    }
    let xMin = Number.POSITIVE_INFINITY;
    let xMax = Number.NEGATIVE_INFINITY;
    for (const x of xs) {
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
    }
    if (xMax <= xMin) xMax = xMin + 1e-9;
    const [yMin, yMax] = range;
    const px = (x: number) => left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
    const py = (y: number) => top + plotH - (((logY ? Math.log10(y) : y) - yMin) / (yMax - yMin || 1)) * plotH;
    ctx.strokeStyle = theme.grid;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const yTicks = logY ? niceTicks(Math.ceil(yMin), Math.floor(yMax), 4).filter(Number.isInteger).map((e) => 10 ** e) : niceTicks(yMin, yMax, 4);
    for (const tick of yTicks) {
      const y = py(tick);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + plotW, y);
      ctx.stroke();
      ctx.fillText(formatTick(tick), left - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const tick of niceTicks(xMin, xMax, 5)) ctx.fillText(formatTick(tick), px(tick), top + plotH + 4);
    ctx.textAlign = 'right';
    ctx.fillText(xLabel, left + plotW, top + plotH + 13);
    for (const s of series) {
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(s.dashed === true ? [5, 3] : []);
      ctx.beginPath();
      let started = false;
      for (const p of s.points) {
        if (!Number.isFinite(p.y) || (logY && p.y <= 0)) continue;
        if (started) ctx.lineTo(px(p.x), py(p.y));
        else ctx.moveTo(px(p.x), py(p.y));
        started = true;
      }
      ctx.stroke();
      // A lone point (one epoch so far) shows as a dot.
      if (s.points.length === 1 && started) {
        ctx.fillStyle = s.color;
        ctx.beginPath();
        ctx.arc(px(s.points[0]!.x), py(s.points[0]!.y), 2.5, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.setLineDash([]);
  };
}

/** A grey image of `values` (h × w, row-major), scaled to [min, max] of the values. */
export function drawGrey(ctx: CanvasRenderingContext2D, values: ArrayLike<number>, h: number, w: number, x: number, y: number, scale: number, signed = false): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < h * w; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const image = ctx.createImageData(w, h);
  const bound = Math.max(Math.abs(min), Math.abs(max)) || 1;
  for (let i = 0; i < h * w; i++) {
    const v = values[i]!;
    let r: number;
    let g: number;
    let b: number;
    if (signed) {
      // Weights: blue negative, red positive, white zero.
      const t = v / bound;
      r = t > 0 ? 255 : Math.round(255 * (1 + t));
      g = Math.round(255 * (1 - Math.abs(t)));
      b = t < 0 ? 255 : Math.round(255 * (1 - t));
    } else {
      const grey = max > min ? Math.round((255 * (v - min)) / (max - min)) : 0;
      r = g = b = grey;
    }
    image.data.set([r, g, b, 255], i * 4);
  }
  blit(ctx, image, x, y, w * scale, h * scale);
}

let scratch: HTMLCanvasElement | null = null;

/**
 * Draws `image` scaled to width × height without smoothing, through one reused offscreen canvas
 * (putImageData ignores transforms and cannot scale).
 */
export function blit(ctx: CanvasRenderingContext2D, image: ImageData, x: number, y: number, width: number, height: number): void {
  scratch ??= document.createElement('canvas');
  if (scratch.width < image.width) scratch.width = image.width;
  if (scratch.height < image.height) scratch.height = image.height;
  scratch.getContext('2d')?.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, 0, 0, image.width, image.height, x, y, width, height);
}
