// Loss and accuracy curves of every run this window has seen, overlaid: training (solid, the
// epoch's running mean as steps go) and validation (dashed, one point per epoch). Smoothing and
// a log scale for the loss; a legend that hides runs and duplicates one as the next run.
import { useCallback, useMemo, useRef, useState } from 'react';
import type { TrainingState } from '../../../engine/protocol/index.js';
import { useI18n, type MessageKey } from '../i18n';
import { ChartCanvas, drawLines, PanelCard, type Series } from './Charts';
import { smooth, type Point } from './chartMath';
import { runLabel, runStore, type Run } from './runStore';

type Metric = 'loss' | 'accuracy';

export const STATE_KEYS: Readonly<Record<TrainingState, MessageKey>> = {
  idle: 'panels.state.idle',
  loading: 'panels.state.loading',
  running: 'panels.state.running',
  paused: 'panels.state.paused',
  completed: 'panels.state.completed',
  stopped: 'panels.state.stopped',
  failed: 'panels.state.failed',
};

function trainPoints(run: Run, metric: Metric): Point[] {
  return run.points.map((p) => ({ x: p.step, y: (metric === 'loss' ? p.loss : p.accuracy) ?? Number.NaN }));
}

function validationPoints(run: Run, metric: Metric): Point[] {
  return run.epochs.map((r) => ({ x: r.step, y: (metric === 'loss' ? r.validation?.loss : r.validation?.accuracy) ?? Number.NaN })).filter((p) => Number.isFinite(p.y));
}

/** Points drawn per curve at most: a canvas a few hundred pixels wide shows no more. */
const MAX_DRAWN = 800;

function thin(points: Point[]): Point[] {
  if (points.length <= MAX_DRAWN) return points;
  const every = Math.ceil(points.length / MAX_DRAWN);
  return points.filter((_, i) => i % every === 0 || i === points.length - 1);
}

type SeriesCache = Map<string, { readonly stamp: string; readonly series: readonly Series[] }>;

/**
 * Each visible run's training and validation curves. A run's curves are computed again only
 * when it gained points (or the smoothing changed): with many runs overlaid, only the running
 * one costs anything per update.
 */
function seriesOf(runs: readonly Run[], metric: Metric, weight: number, trainName: string, validationName: string, cache: SeriesCache): Series[] {
  return runs
    .filter((run) => run.visible)
    .flatMap((run) => {
      const key = `${run.key}:${metric}`;
      const stamp = `${run.points.length}:${run.epochs.length}:${weight}:${run.color}:${trainName}:${runLabel(run)}`;
      const cached = cache.get(key);
      if (cached !== undefined && cached.stamp === stamp) return cached.series;
      const series: Series[] = [
        { label: `${runLabel(run)} ${trainName}`, color: run.color, points: thin(smooth(trainPoints(run, metric), weight)) },
        { label: `${runLabel(run)} ${validationName}`, color: run.color, dashed: true, points: validationPoints(run, metric) },
      ];
      cache.set(key, { stamp, series });
      return series;
    });
}

interface CurvesPanelProps {
  readonly runs: readonly Run[];
  /** Bumped by the run store on every change: the charts redraw on it. */
  readonly version: number;
  readonly onDuplicate: (run: Run) => void;
}

export function CurvesPanel({ runs, version, onDuplicate }: CurvesPanelProps) {
  const { t } = useI18n();
  const [weight, setWeight] = useState(0.6);
  const [logY, setLogY] = useState(false);
  const cache = useRef<SeriesCache>(new Map());
  const trainName = t('panels.curves.train');
  const validationName = t('panels.curves.validation');
  // `version` stands for the runs' contents, which change in place.
  const loss = useMemo(() => seriesOf(runs, 'loss', weight, trainName, validationName, cache.current), [runs, version, weight, trainName, validationName]);
  const accuracy = useMemo(() => seriesOf(runs, 'accuracy', weight, trainName, validationName, cache.current), [runs, version, weight, trainName, validationName]);
  const drawLoss = useMemo(() => drawLines(loss, logY, t('panels.curves.step')), [loss, logY, t]);
  const drawAccuracy = useMemo(() => drawLines(accuracy, false, t('panels.curves.step')), [accuracy, t]);
  const current = runs[runs.length - 1];
  // What a test (and a curious user) can read off the current run's raw training loss curve.
  const raw = current !== undefined ? current.points.filter((p) => p.loss !== null) : [];
  const lastValidation = current?.epochs.at(-1)?.validation?.accuracy ?? null;

  const csv = useCallback(() => {
    const rows: (string | number | null)[][] = [['run', 'optimizer', 'lr', 'batchSize', 'step', 'epoch', 'split', 'loss', 'accuracy']];
    for (const run of runs) {
      const c = run.config;
      for (const p of run.points) rows.push([run.runId, c?.optimizer.type ?? null, c?.optimizer.lr ?? null, c?.batchSize ?? null, p.step, p.epoch, 'train', p.loss, p.accuracy]);
      for (const r of run.epochs) rows.push([run.runId, c?.optimizer.type ?? null, c?.optimizer.lr ?? null, c?.batchSize ?? null, r.step, r.epoch, 'validation', r.validation?.loss ?? null, r.validation?.accuracy ?? null]);
    }
    return rows;
  }, [runs]);

  const tools = (
    <>
      <label className="nw-panel-card__tool" title={t('panels.curves.smoothing.hint')}>
        {t('panels.curves.smoothing')}
        <input type="range" min={0} max={0.99} step={0.01} value={weight} data-testid="curves-smoothing" onChange={(e) => setWeight(Number(e.target.value))} />
      </label>
      <label className="nw-panel-card__tool">
        <input type="checkbox" checked={logY} data-testid="curves-log" onChange={(e) => setLogY(e.target.checked)} />
        {t('panels.curves.log')}
      </label>
    </>
  );

  return (
    <PanelCard id="curves" title={t('panels.curves.title')} csv={csv} tools={tools}>
      <div className="nw-curves">
        <div className="nw-curves__chart">
          <h4 className="nw-curves__title">{t('panels.curves.loss')}</h4>
          <ChartCanvas
            draw={drawLoss}
            height={150}
            testId="curve-loss"
            label={t('panels.curves.loss')}
            data-points={raw.length}
            data-first={raw[0]?.loss ?? undefined}
            data-last={raw.at(-1)?.loss ?? undefined}
            data-series={loss.length}
          />
        </div>
        <div className="nw-curves__chart">
          <h4 className="nw-curves__title">
            {t('panels.curves.accuracy')}
            {lastValidation !== null && (
              <span className="nw-curves__value" data-testid="validation-accuracy" data-value={lastValidation}>
                {t('panels.curves.valAccuracy', { value: (lastValidation * 100).toFixed(1) })}
              </span>
            )}
          </h4>
          <ChartCanvas draw={drawAccuracy} height={150} testId="curve-accuracy" label={t('panels.curves.accuracy')} data-series={accuracy.length} />
        </div>
      </div>
      <ul className="nw-legend" data-testid="curves-legend" aria-label={t('panels.curves.legend')}>
        {runs.map((run) => (
          <li key={run.key} className="nw-legend__item" data-testid="legend-run" data-run={run.runId} data-optimizer={run.config?.optimizer.type}>
            <label>
              <input type="checkbox" checked={run.visible} onChange={(e) => runStore.setVisible(run.key, e.target.checked)} />
              <span className="nw-legend__swatch" style={{ background: run.color }} aria-hidden="true" />
              <span className="nw-legend__label">{runLabel(run)}</span>
            </label>
            <span className="nw-legend__state">{run.status !== null ? t(STATE_KEYS[run.status.state]) : ''}</span>
            {run.config !== null && (
              <button type="button" className="nw-field__small-button" data-testid="legend-duplicate" title={t('panels.duplicate.hint')} onClick={() => onDuplicate(run)}>
                {t('panels.duplicate')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <p className="nw-panel-card__note">{t('panels.curves.note')}</p>
    </PanelCard>
  );
}
