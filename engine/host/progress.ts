// The command line's progress display: on a terminal, one bar redrawn in place (epoch, step,
// loss, accuracy, samples/s, ETA) with a permanent line per finished epoch; in a log or a pipe,
// plain lines only — one per epoch and a progress line now and then — so CI logs stay readable.
// Epochs that end less than 250 ms apart (XOR's 1,000 tiny epochs) are thinned to about four
// lines a second, always keeping the first and the last; metrics.jsonl/csv keep every epoch.

import type { Lang } from '../protocol/index.js';
import type { EpochRecord, ProgressEvent, TrainerEvent } from '../train/trainer.js';

export interface TextSink {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly lang: Lang;
  /** Redraw in place (a terminal); otherwise plain lines. */
  readonly tty: boolean;
  /** Plain mode: the least time between two progress lines; 10 s by default. */
  readonly periodMs?: number;
  /** The least time between two epoch lines (first and last always shown); 250 ms by default. */
  readonly epochLineMs?: number;
  /** Epochs in the run, for "epoch 3/5" and to always show the last one. */
  readonly epochs?: number;
  readonly now?: () => number;
}

const LABELS = {
  en: { epoch: 'epoch', step: 'step', loss: 'loss', acc: 'acc', valLoss: 'val_loss', valAcc: 'val_acc', rate: 'samples/s', eta: 'ETA', lr: 'lr' },
  ja: { epoch: 'エポック', step: 'ステップ', loss: '損失', acc: '正解率', valLoss: '検証損失', valAcc: '検証正解率', rate: 'サンプル/秒', eta: '残り', lr: '学習率' },
} as const;

export class ProgressView {
  private readonly labels: (typeof LABELS)[Lang];
  private readonly periodMs: number;
  private readonly now: () => number;
  private lastPlain = Number.NEGATIVE_INFINITY;
  private lastEpochLine = Number.NEGATIVE_INFINITY;
  private barShown = false;
  private last: ProgressEvent | null = null;

  constructor(
    private readonly sink: TextSink,
    private readonly options: ProgressOptions,
  ) {
    this.labels = LABELS[options.lang];
    this.periodMs = options.periodMs ?? 10_000;
    this.now = options.now ?? (() => performance.now());
    // The first plain progress line comes one period in: a rate measured over one step says little.
    this.lastPlain = this.now();
  }

  onEvent(event: TrainerEvent): void {
    if (event.type === 'progress') this.progress(event);
    else if (event.type === 'epoch') for (const record of event.records) this.epoch(record);
  }

  /** Clears the bar (before other output, and at the end). */
  clear(): void {
    if (this.barShown) {
      this.sink.write('\r\x1b[2K');
      this.barShown = false;
    }
  }

  private progress(p: ProgressEvent): void {
    this.last = p;
    if (this.options.tty) {
      this.sink.write(`\r\x1b[2K${this.barLine(p)}`);
      this.barShown = true;
      return;
    }
    const t = this.now();
    if (t - this.lastPlain < this.periodMs) return;
    this.lastPlain = t;
    this.sink.write(`${this.plainLine(p)}\n`);
  }

  private epoch(r: EpochRecord): void {
    const epochs = this.options.epochs ?? this.last?.epochs;
    const t = this.now();
    const edge = r.epoch === 1 || r.epoch === epochs;
    if (!edge && t - this.lastEpochLine < (this.options.epochLineMs ?? 250)) return;
    this.lastEpochLine = t;
    this.clear();
    const L = this.labels;
    const parts = [
      `${L.epoch} ${r.epoch}${epochs !== undefined ? `/${epochs}` : ''}`,
      `${L.loss} ${fmt(r.train.loss)}`,
      ...(r.train.accuracy !== undefined ? [`${L.acc} ${pct(r.train.accuracy)}`] : []),
      ...(r.validation !== undefined ? [`${L.valLoss} ${fmt(r.validation.loss)}`] : []),
      ...(r.validation?.accuracy !== undefined ? [`${L.valAcc} ${pct(r.validation.accuracy)}`] : []),
      `${L.lr} ${r.lr.toPrecision(3)}`,
      `${r.seconds.toFixed(1)}s`,
    ];
    this.sink.write(`${parts.join('  ')}\n`);
    // A fresh plain progress line is due one period after an epoch line, not at once.
    this.lastPlain = this.now();
  }

  private barLine(p: ProgressEvent): string {
    const L = this.labels;
    // A pseudo-terminal may report 0 columns; assume a common width then.
    const columns = this.sink.columns !== undefined && this.sink.columns > 0 ? this.sink.columns : 100;
    const width = Math.max(10, Math.min(30, columns - 80));
    const filled = Math.round((p.stepInEpoch / Math.max(1, p.stepsPerEpoch)) * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line = [
      `${L.epoch} ${p.epoch}/${p.epochs}`,
      `${bar} ${p.stepInEpoch}/${p.stepsPerEpoch}`,
      `${L.loss} ${fmt(p.loss)}`,
      ...(p.accuracy !== undefined ? [`${L.acc} ${pct(p.accuracy)}`] : []),
      `${rate(p.samplesPerSecond)} ${L.rate}`,
      `${L.eta} ${duration(p.etaSeconds)}`,
    ].join('  ');
    // Never wrap: a wrapped line cannot be redrawn with \r.
    return line.length >= columns ? line.slice(0, Math.max(0, columns - 1)) : line;
  }

  private plainLine(p: ProgressEvent): string {
    const L = this.labels;
    return [
      `${L.epoch} ${p.epoch}/${p.epochs}`,
      `${L.step} ${p.stepInEpoch}/${p.stepsPerEpoch}`,
      `${L.loss} ${fmt(p.loss)}`,
      ...(p.accuracy !== undefined ? [`${L.acc} ${pct(p.accuracy)}`] : []),
      `${rate(p.samplesPerSecond)} ${L.rate}`,
      `${L.eta} ${duration(p.etaSeconds)}`,
    ].join('  ');
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function rate(x: number): string {
  return x >= 10_000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0);
}

/** 75 → "1:15", 3725 → "1:02:05"; unknown → "--:--". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}
