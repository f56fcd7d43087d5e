// Weight, gradient and activation histograms per layer over time, and the gradient norm per
// layer. Weight and gradient histograms come from the engine's `histograms` stream; activation
// histograms are counted here from the `activations` stream (every layer's output for one
// sample). Each row is a heat strip: time to the right, value upward, darker where more values
// fall — a vanishing gradient shows as a strip collapsing onto zero.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { EventData, EngineProtocol } from '../../../engine/protocol/index.js';
import { fromWireTensor } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { useI18n } from '../i18n';
import { blit, ChartCanvas, PanelCard, type Draw } from './Charts';

interface Snapshot {
  readonly step: number;
  readonly min: number;
  readonly max: number;
  /** The engine's exact L2 norm (weights and gradients; activations have none here). */
  readonly norm?: number;
  readonly counts: Uint32Array;
}

type Kind = 'weight' | 'gradient' | 'activation';

interface Track {
  readonly key: string;
  readonly nodeId: string;
  readonly name: string;
  readonly kind: Kind;
  snapshots: Snapshot[];
}

/** Snapshots kept per track (at 1 a second: the last two minutes). */
const HISTORY = 120;
const BINS = 30;
const HISTOGRAM_RATE = 1;
const ACTIVATION_RATE = 1;

function countBins(values: Float32Array | Int32Array): Snapshot & { readonly ok: boolean } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Uint32Array(BINS);
  if (min > max) return { step: 0, min: 0, max: 0, counts, ok: false };
  const width = (max - min) / BINS || 1;
  for (const v of values) if (Number.isFinite(v)) counts[Math.min(BINS - 1, Math.floor((v - min) / width))]!++;
  return { step: 0, min, max, counts, ok: true };
}

/** Heat-strip rows in pixels: one column per snapshot, drawn as an image and scaled up. */
const STRIP_ROWS = 32;

function drawTrack(track: Track, color: string): Draw {
  return (ctx, width, height, theme) => {
    const snaps = track.snapshots;
    if (snaps.length === 0) return;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const s of snaps) {
      lo = Math.min(lo, s.min);
      hi = Math.max(hi, s.max);
    }
    if (hi <= lo) hi = lo + 1e-6;
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
    const image = new ImageData(HISTORY, STRIP_ROWS);
    snaps.forEach((s, i) => {
      const column = HISTORY - snaps.length + i;
      let peak = 1;
      for (const c of s.counts) peak = Math.max(peak, c);
      const bw = (s.max - s.min) / s.counts.length;
      s.counts.forEach((c, bin) => {
        if (c === 0) return;
        const alpha = Math.round(255 * Math.sqrt(c / peak));
        // The bin's value range, as pixel rows (row 0 is the top: the largest values).
        const top = Math.floor(((hi - (s.min + (bin + 1) * bw)) / (hi - lo)) * (STRIP_ROWS - 1));
        const bottom = Math.ceil(((hi - (s.min + bin * bw)) / (hi - lo)) * (STRIP_ROWS - 1));
        for (let row = Math.max(0, top); row <= Math.min(STRIP_ROWS - 1, bottom); row++) {
          const at = (row * HISTORY + column) * 4;
          if (image.data[at + 3]! < alpha) image.data.set([r, g, b, alpha], at);
        }
      });
    });
    blit(ctx, image, 0, 0, width, height);
    // Zero, when it is in range: where vanishing values gather.
    if (lo < 0 && hi > 0) {
      const y = ((hi - 0) / (hi - lo)) * height;
      ctx.strokeStyle = theme.muted;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(width, y);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  };
}

const KIND_COLORS: Readonly<Record<Kind, string>> = { weight: '#0072b2', gradient: '#d55e00', activation: '#009e73' };
/** A mark per kind before the row's name (weight w, gradient ∇, activation a), beside its colour. */
const KIND_MARKS: Readonly<Record<Kind, string>> = { weight: 'w', gradient: '∇', activation: 'a' };

function TrackRow({ track }: { readonly track: Track; readonly version: number }) {
  const last = track.snapshots.at(-1);
  const draw = useMemo(() => drawTrack(track, KIND_COLORS[track.kind]), [track, last]);
  return (
    <div className="nw-hist__row" data-testid="hist-row" data-kind={track.kind} data-node={track.nodeId}>
      <span className="nw-hist__name" title={`${track.nodeId}.${track.name}`}>
        {KIND_MARKS[track.kind]} {track.nodeId}
        {track.kind !== 'activation' ? `.${track.name}` : ''}
      </span>
      <ChartCanvas draw={draw} height={34} label={`${track.kind} ${track.nodeId}.${track.name}`} />
      <span className="nw-hist__range">{last !== undefined ? `${last.min.toPrecision(2)} … ${last.max.toPrecision(2)}` : ''}</span>
    </div>
  );
}

export const HistogramsPanel = memo(function HistogramsPanel({ active }: { readonly active: boolean }) {
  const { t } = useI18n();
  const tracks = useRef(new Map<string, Track>());
  const [version, setVersion] = useState(0);
  const [step, setStep] = useState<number | null>(null);
  const [kinds, setKinds] = useState<readonly Kind[]>(['weight', 'gradient', 'activation']);

  const runId = useRef<number | null>(null);
  /** A new run (perhaps of another graph) starts the picture afresh. */
  const forRun = useCallback((id: number) => {
    if (runId.current !== id) tracks.current.clear();
    runId.current = id;
  }, []);

  const add = useCallback((key: string, nodeId: string, name: string, kind: Kind, snapshot: Snapshot) => {
    let track = tracks.current.get(key);
    if (track === undefined) {
      track = { key, nodeId, name, kind, snapshots: [] };
      tracks.current.set(key, track);
    }
    // A new run starts at step 0 again: its history starts afresh.
    const last = track.snapshots.at(-1);
    if (last !== undefined && snapshot.step < last.step) track.snapshots = [];
    track.snapshots.push(snapshot);
    if (track.snapshots.length > HISTORY) track.snapshots.shift();
  }, []);

  useEffect(() => {
    if (!active) return undefined;
    const engine = getEngine();
    const histograms = engine.listen('histograms', { bins: BINS, maxRate: HISTOGRAM_RATE }, (data: EventData<EngineProtocol, 'histograms'>) => {
      forRun(data.runId);
      for (const item of data.items) {
        add(`${item.kind}:${item.nodeId}.${item.name}`, item.nodeId, item.name, item.kind, { step: data.step, min: item.min, max: item.max, norm: item.norm, counts: new Uint32Array(item.counts) });
      }
      setStep(data.step);
      setVersion((v) => v + 1);
    });
    const activations = engine.listen('activations', { sample: 0, maxRate: ACTIVATION_RATE }, (data) => {
      forRun(data.runId);
      for (const { nodeId, output } of data.outputs) {
        const counted = countBins(fromWireTensor(output));
        if (counted.ok) add(`activation:${nodeId}`, nodeId, 'out', 'activation', { step: data.step, min: counted.min, max: counted.max, counts: counted.counts });
      }
      setVersion((v) => v + 1);
    });
    return () => {
      histograms.dispose();
      activations.dispose();
    };
  }, [active, add, forRun]);

  const all = [...tracks.current.values()];
  const shown = all.filter((track) => kinds.includes(track.kind));
  const gradients = all.filter((track) => track.kind === 'gradient' && track.snapshots.length > 0);
  const norms = gradients.map((track) => {
    const s = track.snapshots.at(-1)!;
    return { label: `${track.nodeId}.${track.name}`, value: s.norm ?? 0 };
  });
  const normKey = norms.map((n) => n.value).join(',');
  const drawNorms = useMemo<Draw>(() => drawBars(norms), [normKey]);

  const csv = () => {
    const rows: (string | number)[][] = [['kind', 'node', 'param', 'step', 'min', 'max', ...Array.from({ length: BINS }, (_, i) => `bin${i}`)]];
    for (const track of all) for (const s of track.snapshots) rows.push([track.kind, track.nodeId, track.name, s.step, s.min, s.max, ...s.counts]);
    return rows;
  };

  const toggle = (kind: Kind) => setKinds(kinds.includes(kind) ? kinds.filter((k) => k !== kind) : [...kinds, kind]);
  const tools = (
    <>
      {(['weight', 'gradient', 'activation'] as const).map((kind) => (
        <label key={kind} className="nw-panel-card__tool">
          <input type="checkbox" checked={kinds.includes(kind)} onChange={() => toggle(kind)} />
          <span className="nw-legend__swatch" style={{ background: KIND_COLORS[kind] }} aria-hidden="true" />
          {t(`panels.hist.${kind}`)}
        </label>
      ))}
      <span className="nw-hist__step" data-testid="hist-step" data-step={step ?? undefined}>
        {step !== null ? t('panels.hist.step', { step }) : ''}
      </span>
    </>
  );

  return (
    <PanelCard id="histograms" title={t('panels.hist.title')} csv={csv} tools={tools}>
      {shown.length === 0 ? (
        <p className="nw-panel-card__note">{t('panels.empty')}</p>
      ) : (
        <div className="nw-hist" data-version={version}>
          {shown.map((track) => (
            <TrackRow key={track.key} track={track} version={version} />
          ))}
        </div>
      )}
      {norms.length > 0 && (
        <>
          <h4 className="nw-curves__title">{t('panels.hist.gradNorm')}</h4>
          <ChartCanvas draw={drawNorms} height={Math.max(40, norms.length * 16 + 8)} testId="grad-norms" label={t('panels.hist.gradNorm')} />
        </>
      )}
    </PanelCard>
  );
});

/** Horizontal bars on a log scale (norms span orders of magnitude when gradients vanish). */
function drawBars(bars: readonly { label: string; value: number }[]): Draw {
  return (ctx, width, _height, theme) => {
    const labelWidth = Math.min(140, width * 0.4);
    const logs = bars.map((b) => Math.log10(Math.max(b.value, 1e-12)));
    const lo = Math.min(...logs, -1) - 0.5;
    const hi = Math.max(...logs, lo + 1);
    ctx.font = '10px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    bars.forEach((bar, i) => {
      const y = 4 + i * 16;
      ctx.fillStyle = theme.text;
      ctx.textAlign = 'right';
      ctx.fillText(bar.label, labelWidth - 4, y + 6, labelWidth - 6);
      const w = ((logs[i]! - lo) / (hi - lo)) * (width - labelWidth - 60);
      ctx.fillStyle = KIND_COLORS.gradient;
      ctx.fillRect(labelWidth, y, Math.max(1, w), 12);
      ctx.fillStyle = theme.muted;
      ctx.textAlign = 'left';
      ctx.fillText(bar.value.toPrecision(2), labelWidth + Math.max(1, w) + 4, y + 6);
    });
  };
}
