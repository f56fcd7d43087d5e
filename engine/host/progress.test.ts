// The progress display: redrawn in place on a terminal, plain periodic lines elsewhere, one
// permanent line per epoch in both, in English or Japanese.

import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../train/trainer.js';
import { duration, ProgressView } from './progress.js';

function sink(isTTY: boolean): { write(s: string): void; text: string; isTTY: boolean; columns: number } {
  return { isTTY, columns: 120, text: '', write(s: string) { this.text += s; } };
}

const progress = (step: number): ProgressEvent => ({
  type: 'progress', epoch: 1, epochs: 3, step, stepInEpoch: step, stepsPerEpoch: 10, loss: 0.5, accuracy: 0.8, lr: 0.001, samplesPerSecond: 41234, etaSeconds: 75,
});
const epoch = { type: 'epoch' as const, records: [{ epoch: 1, step: 10, lr: 0.001, seconds: 1.25, train: { loss: 0.4, samples: 100, accuracy: 0.85 }, validation: { loss: 0.45, samples: 20, accuracy: 0.8 } }] };

describe('ProgressView', () => {
  it('redraws one line in place on a terminal, then prints a permanent epoch line', () => {
    const out = sink(true);
    const view = new ProgressView(out, { lang: 'en', tty: true });
    view.onEvent(progress(3));
    view.onEvent(progress(5));
    expect(out.text.split('\r\x1b[2K')).toHaveLength(3);
    expect(out.text).not.toContain('\n');
    expect(out.text).toContain('epoch 1/3');
    expect(out.text).toContain('5/10');
    expect(out.text).toContain('loss 0.5000');
    expect(out.text).toContain('acc 80.0%');
    expect(out.text).toContain('41.2k samples/s');
    expect(out.text).toContain('ETA 1:15');
    view.onEvent(epoch);
    expect(out.text.endsWith('epoch 1/3  loss 0.4000  acc 85.0%  val_loss 0.4500  val_acc 80.0%  lr 0.00100  1.3s\n')).toBe(true);
  });

  it('draws the bar when a pseudo-terminal reports 0 columns', () => {
    const out = { ...sink(true), columns: 0 };
    new ProgressView(out, { lang: 'en', tty: true }).onEvent(progress(5));
    expect(out.text).toContain('epoch 1/3');
  });

  it('prints plain lines when not a terminal: one per epoch, progress at most once a period', () => {
    let now = 0;
    const out = sink(false);
    const view = new ProgressView(out, { lang: 'ja', tty: false, periodMs: 1000, now: () => now });
    view.onEvent(progress(1)); // too early: the first line comes one period in
    now = 1000;
    view.onEvent(progress(2));
    now = 1500;
    view.onEvent(progress(3));
    now = 2100;
    view.onEvent(progress(4));
    view.onEvent(epoch);
    const lines = out.text.trimEnd().split('\n');
    expect(out.text).not.toContain('\r');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('エポック 1/3  ステップ 2/10  損失 0.5000  正解率 80.0%');
    expect(lines[1]).toContain('ステップ 4/10');
    expect(lines[2]).toContain('検証正解率 80.0%');
  });

  it('thins epoch lines that come faster than four a second, keeping the first and the last', () => {
    let now = 0;
    const out = sink(false);
    const view = new ProgressView(out, { lang: 'en', tty: false, epochs: 100, now: () => now });
    for (let e = 1; e <= 100; e++) {
      now = e * 30; // an epoch every 30 ms
      view.onEvent({ type: 'epoch', records: [{ ...epoch.records[0]!, epoch: e }] });
    }
    const lines = out.text.trimEnd().split('\n').map((l) => l.split('  ')[0]);
    expect(lines[0]).toBe('epoch 1/100');
    expect(lines.at(-1)).toBe('epoch 100/100');
    expect(lines.length).toBeLessThanOrEqual(15); // 3 s of epochs: about 4 a second
  });

  it('formats durations', () => {
    expect(duration(5)).toBe('0:05');
    expect(duration(75)).toBe('1:15');
    expect(duration(3725)).toBe('1:02:05');
    expect(duration(Number.POSITIVE_INFINITY)).toBe('--:--');
  });
});
