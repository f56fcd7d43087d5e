// Small in-memory datasets for trainer, checkpoint and CLI tests: logic gates, Gaussian blobs
// and a sine regression, built from a seed so every test sees the same samples. (The real
// readers live in engine/data; these only have to satisfy the Dataset contract.)

import { Random } from '../../core/random.js';
import type { Dataset } from '../../data/dataset.js';

export type Gate = 'and' | 'or' | 'nand' | 'xor';

const TRUTH: Readonly<Record<Gate, readonly number[]>> = {
  and: [0, 0, 0, 1],
  or: [0, 1, 1, 1],
  nand: [1, 1, 1, 0],
  xor: [0, 1, 1, 0],
};

/** The four rows of a two-input truth table. */
export function gateDataset(gate: Gate): Dataset {
  return {
    name: gate,
    inputShape: [2],
    size: 4,
    x: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]),
    task: 'classification',
    y: Int32Array.from(TRUTH[gate]),
    classes: ['0', '1'],
  };
}

/** `classes` Gaussian blobs in `features` dimensions, `perClass` samples each, well separated. */
export function blobs(classes: number, features: number, perClass: number, seed: number, spread = 0.5): Dataset {
  const random = new Random(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: features }, () => random.normal() * 2));
  const size = classes * perClass;
  const x = new Float32Array(size * features);
  const y = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const c = i % classes;
    y[i] = c;
    for (let f = 0; f < features; f++) x[i * features + f] = centres[c]![f]! + random.normal() * spread;
  }
  return { name: `blobs${classes}`, inputShape: [features], size, x, task: 'classification', y, classes: Array.from({ length: classes }, (_, k) => `c${k}`) };
}

/** y = sin(x) on [−π, π]: a one-number regression. */
export function sine(size: number, seed: number): Dataset {
  const random = new Random(seed);
  const x = new Float32Array(size);
  const y = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    x[i] = (random.uniform() * 2 - 1) * Math.PI;
    y[i] = Math.sin(x[i]!);
  }
  return { name: 'sine', inputShape: [1], size, x, task: 'regression', y, targetShape: [1] };
}
