// "Try it": draw a digit with the mouse, a pen or a finger and see what the model says, live.
// The drawing is prepared the way MNIST digits were (chartMath.mnistFromDrawing: fitted into
// 20×20, centred by mass in 28×28), shown at its real size, and sent to `predict`; the answer
// is a bar per class (softmax of the logits where the graph outputs logits).
import { memo, useCallback, useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { ChannelError, fromWireTensor, toWireTensor, type GraphDocument } from '../../../engine/protocol/index.js';
import { getEngine } from '../host';
import { useI18n } from '../i18n';
import { ChartCanvas, drawGrey, PanelCard, type Draw } from './Charts';
import { mnistFromDrawing, probabilities } from './chartMath';

const PAD = 196;
/** The ink grid the pad records (PAD / 2: fine enough for a stroke, cheap to prepare). */
const INK = 98;
const BRUSH = 6;
const PREDICT_MS = 120;

/** True when the graph's Input takes a 28×28 image (or 784 values). */
export function takesDigits(doc: GraphDocument): boolean {
  const shape = doc.nodes.find((n) => n.type === 'Input')?.params['shape'];
  if (!Array.isArray(shape)) return false;
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  return size === 784;
}

export const TryItPanel = memo(function TryItPanel({ active, modelKey }: { readonly active: boolean; readonly modelKey: string }) {
  const { t, pick } = useI18n();
  const pad = useRef<HTMLCanvasElement>(null);
  const ink = useRef(new Float32Array(INK * INK));
  const drawing = useRef(false);
  const last = useRef<{ x: number; y: number } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [prepared, setPrepared] = useState<Float32Array | null>(null);
  const [probs, setProbs] = useState<number[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const clearPad = useCallback(() => {
    ink.current.fill(0);
    const ctx = pad.current?.getContext('2d');
    if (ctx && pad.current) {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, pad.current.width, pad.current.height);
    }
    setPrepared(null);
    setProbs(null);
  }, []);

  useEffect(() => {
    if (active) clearPad();
  }, [active, clearPad]);

  const predict = useCallback(() => {
    const input = mnistFromDrawing(ink.current, INK);
    setPrepared(input);
    if (input.every((v) => v === 0)) return;
    getEngine()
      .call('predict', { input: toWireTensor(input, [1, 1, 28, 28]) })
      .then(
        (answer) => {
          setProbs(probabilities(Array.from(fromWireTensor(answer.output))));
          setMessage(null);
        },
        (e: unknown) => setMessage(e instanceof ChannelError && e.text !== undefined ? pick(e.text) : e instanceof Error ? e.message : String(e)),
      );
  }, [pick]);

  // A new model (a run ended, another started) answers differently: ask again.
  useEffect(() => {
    if (active && prepared !== null && prepared.some((v) => v > 0)) predict();
  }, [modelKey]);

  const schedule = () => {
    timer.current ??= setTimeout(() => {
      timer.current = null;
      predict();
    }, PREDICT_MS);
  };

  const stroke = (event: PointerEvent<HTMLCanvasElement>) => {
    const canvas = pad.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const rect = canvas.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * PAD;
    const y = ((event.clientY - rect.top) / rect.height) * PAD;
    const from = last.current ?? { x, y };
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = BRUSH * 2;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(x, y);
    ctx.stroke();
    // Record the same stroke in the ink grid (a thick line of discs).
    const steps = Math.max(1, Math.ceil(Math.hypot(x - from.x, y - from.y) / 2));
    const scale = INK / PAD;
    const r = BRUSH * scale;
    for (let s = 0; s <= steps; s++) {
      const cx = (from.x + ((x - from.x) * s) / steps) * scale;
      const cy = (from.y + ((y - from.y) * s) / steps) * scale;
      for (let gy = Math.max(0, Math.floor(cy - r)); gy <= Math.min(INK - 1, Math.ceil(cy + r)); gy++) {
        for (let gx = Math.max(0, Math.floor(cx - r)); gx <= Math.min(INK - 1, Math.ceil(cx + r)); gx++) {
          const d = Math.hypot(gx + 0.5 - cx, gy + 0.5 - cy);
          if (d <= r) ink.current[gy * INK + gx] = Math.max(ink.current[gy * INK + gx]!, Math.min(1, r - d + 0.5));
        }
      }
    }
    last.current = { x, y };
    schedule();
  };

  const drawPrepared = useMemo<Draw>(() => (ctx) => prepared !== null && drawGrey(ctx, prepared, 28, 28, 0, 0, 2), [prepared]);
  const best = probs !== null ? probs.indexOf(Math.max(...probs)) : null;
  const drawBars = useMemo<Draw>(
    () => (ctx, width, height, theme) => {
      if (probs === null) return;
      const bw = width / probs.length;
      ctx.font = '10px system-ui, sans-serif';
      ctx.textAlign = 'center';
      probs.forEach((p, i) => {
        const h = p * (height - 14);
        ctx.fillStyle = i === best ? '#0072b2' : theme.muted;
        ctx.fillRect(i * bw + 2, height - 14 - h, bw - 4, h);
        ctx.fillStyle = theme.text;
        ctx.fillText(String(i), i * bw + bw / 2, height - 3);
      });
    },
    [probs, best],
  );
  const csv = () => [['class', 'probability'], ...(probs ?? []).map((p, i) => [i, p])];

  return (
    <PanelCard
      id="tryit"
      title={t('panels.tryit.title')}
     
      csv={csv}
      tools={
        <button type="button" className="nw-field__small-button" data-testid="tryit-clear" onClick={clearPad}>
          {t('panels.tryit.clear')}
        </button>
      }
    >
      <div className="nw-tryit">
        <canvas
          ref={pad}
          width={PAD}
          height={PAD}
          className="nw-tryit__pad"
          data-testid="tryit-pad"
          aria-label={t('panels.tryit.pad')}
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            drawing.current = true;
            last.current = null;
            stroke(e);
          }}
          onPointerMove={(e) => drawing.current && stroke(e)}
          onPointerUp={() => {
            drawing.current = false;
            last.current = null;
            predict();
          }}
        />
        <div className="nw-tryit__side">
          <ChartCanvas draw={drawPrepared} width={56} height={56} testId="tryit-prepared" label={t('panels.tryit.prepared')} />
          <p className="nw-tryit__answer" data-testid="tryit-prediction" data-class={best ?? undefined} data-confidence={best !== null && probs !== null ? probs[best] : undefined}>
            {best !== null && probs !== null ? t('panels.tryit.answer', { digit: best, confidence: (probs[best]! * 100).toFixed(0) }) : t('panels.tryit.hint')}
          </p>
          <ChartCanvas draw={drawBars} width={200} height={80} testId="tryit-bars" label={t('panels.tryit.bars')} />
        </div>
      </div>
      {message !== null && <p className="nw-panel-card__note">{message}</p>}
    </PanelCard>
  );
});
