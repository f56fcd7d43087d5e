// Learning-rate schedules (学習率スケジュール): the learning rate of each epoch, from the
// document's `training.schedule`. Pure functions of the epoch, so a resumed run and a fresh
// one agree, and the UI can plot the curve before training starts.

import type { TrainingConfig } from '../protocol/index.js';

export type ScheduleConfig = TrainingConfig['schedule'];

/** Defaults for the fields a schedule reads; chosen to match PyTorch's StepLR/ExponentialLR habits. */
export const SCHEDULE_DEFAULTS = {
  /** step: epochs between decays. */
  stepSize: 10,
  /** step: factor per decay (StepLR's usual 0.1); exponential: factor per epoch. */
  stepGamma: 0.1,
  exponentialGamma: 0.95,
  /** cosine: the floor the rate anneals to. */
  minLr: 0,
} as const;

/**
 * The learning rate for `epoch` (0-based) of a run of `epochs` epochs, starting from `baseLr`.
 *
 * - constant:    η₀
 * - step:        η₀ · γ^⌊epoch / stepSize⌋                    (PyTorch StepLR; γ 0.1, stepSize 10)
 * - exponential: η₀ · γ^epoch                                  (ExponentialLR; γ 0.95)
 * - cosine:      η_min + (η₀ − η_min) · (1 + cos(π · e / T)) / 2, e = min(epoch, T)
 *                with T = stepSize when given, else the run's epochs (PyTorch CosineAnnealingLR
 *                with T_max = epochs, stepped per epoch; η_min 0). The last epoch still learns:
 *                with T = epochs − 1 it would train at η_min, a wasted epoch when η_min is 0.
 *
 * Schedules change the rate between epochs, not within one: online learning (a step per sample)
 * and full-batch learning then follow the same curve.
 */
export function learningRate(schedule: ScheduleConfig, baseLr: number, epoch: number, epochs: number): number {
  switch (schedule.type) {
    case 'constant':
      return baseLr;
    case 'step': {
      const size = Math.max(1, Math.floor(schedule.stepSize ?? SCHEDULE_DEFAULTS.stepSize));
      return baseLr * (schedule.gamma ?? SCHEDULE_DEFAULTS.stepGamma) ** Math.floor(epoch / size);
    }
    case 'exponential':
      return baseLr * (schedule.gamma ?? SCHEDULE_DEFAULTS.exponentialGamma) ** epoch;
    case 'cosine': {
      const minLr = schedule.minLr ?? SCHEDULE_DEFAULTS.minLr;
      const span = schedule.stepSize ?? Math.max(1, epochs);
      const e = Math.min(epoch, span);
      return minLr + ((baseLr - minLr) * (1 + Math.cos((Math.PI * e) / span))) / 2;
    }
  }
}

/** Checks a schedule's fields, returning an English/Japanese problem or null. */
export function checkSchedule(schedule: ScheduleConfig): { en: string; ja: string } | null {
  if (schedule.stepSize !== undefined && !(schedule.stepSize >= 1)) {
    return { en: `schedule.stepSize must be at least 1 (got ${schedule.stepSize})`, ja: `schedule.stepSize は 1 以上にしてください（${schedule.stepSize}）` };
  }
  if (schedule.gamma !== undefined && !(schedule.gamma > 0 && schedule.gamma <= 1)) {
    return { en: `schedule.gamma must be above 0 and at most 1 (got ${schedule.gamma})`, ja: `schedule.gamma は 0 より大きく 1 以下にしてください（${schedule.gamma}）` };
  }
  if (schedule.minLr !== undefined && !(schedule.minLr >= 0)) {
    return { en: `schedule.minLr must not be negative (got ${schedule.minLr})`, ja: `schedule.minLr は負にできません（${schedule.minLr}）` };
  }
  return null;
}
