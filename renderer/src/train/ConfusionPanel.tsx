// The confusion matrix on the validation split (model.confusion): rows are the true class,
// columns the predicted one, shaded by count. Clicking a cell lists its samples — the
// misclassified ones off the diagonal — as pictures (data.samples). Evaluated when a run ends,
// or on demand while one goes.
import { memo, useEffect, useMemo, useState } from 'react';
import { ChannelError, fromWireTensor, type EngineProtocol, type ResultOf } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { useI18n } from '../i18n';
import { ChartCanvas, drawGrey, PanelCard, type Draw } from './Charts';

type Confusion = ResultOf<EngineProtocol, 'model.confusion'>;
type Samples = ResultOf<EngineProtocol, 'data.samples'>['samples'];

/** Sample pictures shown for a cell (data.samples takes 64 at most). */
const SHOWN = 32;

function drawMatrix(c: Confusion): Draw {
  return (ctx, width, height, theme) => {
    const k = c.classes.length;
    const size = Math.min(width, height) / k;
    let peak = 1;
    for (const row of c.counts) for (const v of row) peak = Math.max(peak, v);
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    c.counts.forEach((row, i) =>
      row.forEach((v, j) => {
        ctx.fillStyle = i === j ? '#009e73' : '#d55e00';
        ctx.globalAlpha = v === 0 ? 0.04 : 0.15 + 0.85 * Math.sqrt(v / peak);
        ctx.fillRect(j * size, i * size, size - 1, size - 1);
        ctx.globalAlpha = 1;
        ctx.fillStyle = theme.text;
        ctx.fillText(String(v), j * size + size / 2, i * size + size / 2);
      }),
    );
  };
}

export const ConfusionPanel = memo(function ConfusionPanel({ runKey, runState, active }: { readonly runKey: number | null; readonly runState: string; readonly active: boolean }) {
  const { t, pick } = useI18n();
  const [confusion, setConfusion] = useState<Confusion | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cell, setCell] = useState<{ truth: number; predicted: number } | null>(null);
  const [samples, setSamples] = useState<Samples>([]);

  const evaluate = () =>
    getEngine()
      .call('model.confusion', { maxPerCell: SHOWN })
      .then(
        (result) => {
          setConfusion(result);
          setError(null);
          setCell(null);
          setSamples([]);
        },
        (e: unknown) => setError(e instanceof ChannelError && e.text !== undefined ? pick(e.text) : e instanceof Error ? e.message : String(e)),
      );

  // Another run: the last run's matrix no longer describes the model.
  useEffect(() => {
    setConfusion(null);
    setCell(null);
    setSamples([]);
  }, [runKey]);

  // A run that ended has a final model to judge.
  useEffect(() => {
    if (active && (runState === 'completed' || runState === 'stopped')) void evaluate();
  }, [active, runKey, runState]);

  const open = (truth: number, predicted: number) => {
    setCell({ truth, predicted });
    const indices = confusion?.samples[truth]?.[predicted] ?? [];
    if (indices.length === 0) {
      setSamples([]);
      return;
    }
    getEngine()
      .call('data.samples', { indices: indices.slice(0, SHOWN) })
      .then((result) => setSamples(result.samples), () => setSamples([]));
  };

  const draw = useMemo(() => (confusion !== null ? drawMatrix(confusion) : () => undefined), [confusion]);
  const total = confusion?.counts.flat().reduce((a, b) => a + b, 0) ?? 0;
  const correct = confusion?.counts.reduce((a, row, i) => a + (row[i] ?? 0), 0) ?? 0;
  const csv = () => {
    const rows: (string | number)[][] = [['true \\ predicted', ...(confusion?.classes ?? [])]];
    confusion?.counts.forEach((row, i) => rows.push([confusion.classes[i] ?? i, ...row]));
    return rows;
  };
  const k = confusion?.classes.length ?? 0;
  const peak = Math.max(1, ...(confusion?.counts.flat() ?? []));

  return (
    <PanelCard
      id="confusion"
      title={t('panels.confusion.title')}
     
      csv={csv}
      tools={
        <button type="button" className="nw-field__small-button" data-testid="confusion-evaluate" onClick={() => void evaluate()}>
          {t('panels.confusion.evaluate')}
        </button>
      }
    >
      {error !== null && <p className="nw-panel-card__note">{error}</p>}
      {confusion === null ? (
        error === null && <p className="nw-panel-card__note">{t('panels.confusion.empty')}</p>
      ) : (
        <>
          <p className="nw-panel-card__note" data-testid="confusion-summary" data-total={total} data-size={confusion.size}>
            {t('panels.confusion.summary', { total, correct, accuracy: total > 0 ? ((100 * correct) / total).toFixed(1) : '—', step: confusion.step })}
          </p>
          <div className="nw-confusion" style={{ gridTemplateColumns: `auto repeat(${k}, 1fr)` }} data-testid="confusion-matrix" role="grid" aria-label={t('panels.confusion.title')}>
            <span className="nw-confusion__corner">{t('panels.confusion.axes')}</span>
            {confusion.classes.map((name, j) => (
              <span key={`h${j}`} className="nw-confusion__head">
                {name}
              </span>
            ))}
            {confusion.counts.map((row, i) => [
              <span key={`r${i}`} className="nw-confusion__head">
                {confusion.classes[i]}
              </span>,
              ...row.map((count, j) => (
                <button
                  key={`${i}-${j}`}
                  type="button"
                  className="nw-confusion__cell"
                  data-testid="confusion-cell"
                  data-true={i}
                  data-predicted={j}
                  data-count={count}
                  data-diagonal={i === j}
                  aria-pressed={cell?.truth === i && cell.predicted === j}
                  title={t('panels.confusion.cell', { truth: confusion.classes[i] ?? i, predicted: confusion.classes[j] ?? j, count })}
                  style={{ ['--nw-cell' as string]: String(Math.sqrt(count / peak)) }}
                  onClick={() => open(i, j)}
                >
                  {count}
                </button>
              )),
            ])}
          </div>
          {/* The same matrix as a picture, for the PNG export; hidden from view and from assistive tech. */}
          <div hidden>
            <ChartCanvas draw={draw} width={24 * k} height={24 * k} />
          </div>
          {cell !== null && (
            <div className="nw-confusion__samples" data-testid="confusion-samples" data-count={samples.length}>
              <h4 className="nw-curves__title">
                {t('panels.confusion.listed', {
                  truth: confusion.classes[cell.truth] ?? cell.truth,
                  predicted: confusion.classes[cell.predicted] ?? cell.predicted,
                  count: confusion.counts[cell.truth]?.[cell.predicted] ?? 0,
                })}
              </h4>
              <div className="nw-confusion__thumbs">
                {samples.map((s) => (
                  <SampleThumb key={s.index} index={s.index} input={fromWireTensor(s.input)} shape={s.input.shape} />
                ))}
              </div>
            </div>
          )}
        </>
      )}
    </PanelCard>
  );
});

function SampleThumb({ index, input, shape }: { readonly index: number; readonly input: Float32Array | Int32Array; readonly shape: readonly number[] }) {
  const h = shape.length >= 3 ? shape[shape.length - 2]! : input.length === 784 ? 28 : 1;
  const w = shape.length >= 3 ? shape[shape.length - 1]! : input.length === 784 ? 28 : input.length;
  const picture = h > 1 && w > 1;
  const draw = useMemo<Draw>(() => (ctx) => picture && drawGrey(ctx, input, h, w, 0, 0, 2), [input, h, w, picture]);
  return (
    <figure className="nw-confusion__thumb" data-testid="confusion-sample" data-index={index}>
      {picture ? <ChartCanvas draw={draw} width={w * 2} height={h * 2} /> : <code>{Array.from(input.slice(0, 4), (v) => v.toPrecision(2)).join(', ')}</code>}
      <figcaption>#{index}</figcaption>
    </figure>
  );
}
