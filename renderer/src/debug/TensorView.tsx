// How the debug panel shows one tensor: its shape, min / max / mean / std, a histogram, a heatmap
// when one sample is an image ([C, H, W]: the first channel), and its numbers when the sample is
// small. `values` attributes carry the numbers for the end-to-end tests.
import { useEffect, useRef } from 'react';
import { fromWireTensor, type WireTensor } from '../../../engine/protocol/index.js';
import { useI18n } from '../i18n';
import { sampleOf } from './debugStore';
import { formatNumber, formatValues, histogramOf, SMALL_TENSOR, statsOf } from './format';

interface TensorViewProps {
  readonly label: string;
  readonly tensor: WireTensor;
  readonly sample: number;
  readonly testId: string;
  /** Histogram and heatmap (outputs); gradients show statistics and numbers only. */
  readonly pictures?: boolean;
  /** False for a parameter (no batch axis): all its values are shown. */
  readonly batched?: boolean;
}

export function TensorView({ label, tensor, sample, testId, pictures = false, batched = true }: TensorViewProps) {
  const { t } = useI18n();
  const all = fromWireTensor(tensor);
  const stats = statsOf(all);
  const values = tensor.shape.length === 0 || !batched ? all : sampleOf(tensor, sample);
  const perSample = batched ? tensor.shape.slice(1) : tensor.shape;
  return (
    <div className="nw-debug-tensor" data-testid={testId} data-values={values.length <= SMALL_TENSOR ? JSON.stringify(Array.from(values)) : undefined}>
      <div className="nw-debug-tensor__head">
        <span className="nw-debug-tensor__label">{label}</span>
        <span className="nw-debug-tensor__shape">[{tensor.shape.join('×')}]</span>
      </div>
      <div className="nw-debug-tensor__stats">
        {t('debug.stats', { min: formatNumber(stats.min), max: formatNumber(stats.max), mean: formatNumber(stats.mean), std: formatNumber(stats.std) })}
      </div>
      {values.length <= SMALL_TENSOR && <div className="nw-debug-tensor__values">{formatValues(values, SMALL_TENSOR)}</div>}
      {pictures && all.length > 1 && <Histogram values={all} />}
      {pictures && perSample.length >= 2 && <Heatmap values={values} shape={perSample} />}
    </div>
  );
}

function Histogram({ values }: { readonly values: ArrayLike<number> }) {
  const { t } = useI18n();
  const { counts, min, max } = histogramOf(values, 24);
  const top = Math.max(1, ...counts);
  const width = 240;
  const height = 48;
  const bar = width / counts.length;
  return (
    <figure className="nw-debug-hist" data-testid="debug-histogram">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('debug.histogram')}>
        {counts.map((c, i) => (
          <rect key={i} x={i * bar + 0.5} width={bar - 1} y={height - (c / top) * height} height={(c / top) * height} />
        ))}
      </svg>
      <figcaption>
        <span>{formatNumber(min)}</span>
        <span>{formatNumber(max)}</span>
      </figcaption>
    </figure>
  );
}

/** The first channel of one sample as a grey-scale image (min black, max white). */
function Heatmap({ values, shape }: { readonly values: ArrayLike<number>; readonly shape: readonly number[] }) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const h = shape[shape.length - 2]!;
  const w = shape[shape.length - 1]!;
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const plane = Array.from({ length: h * w }, (_, i) => values[i]!);
    const { min, max } = statsOf(plane);
    const image = context.createImageData(w, h);
    plane.forEach((v, i) => {
      const level = max > min ? Math.round(((v - min) / (max - min)) * 255) : 128;
      image.data.set([level, level, level, 255], i * 4);
    });
    context.putImageData(image, 0, 0);
  }, [values, h, w]);
  return <canvas ref={canvas} className="nw-debug-heatmap" data-testid="debug-heatmap" width={w} height={h} aria-label={t('debug.heatmap')} role="img" />;
}
