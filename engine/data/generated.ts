// Generated datasets for lessons: logic gates, TensorFlow-Playground-like 2-D sets, a 1-D
// regression and two sequence tasks. Each is a pure function of (options, seed): the same seed
// gives the same data bit for bit, and the test set has its own stream, so changing the test
// size never changes the training data.

import { Random, hash32 } from '../core/random.js';
import { DatasetError } from './dataset.js';
import { numberOption, type ResolvedOptions } from './options.js';
import type { RawDataset, RawSplits } from './raw.js';
import type { Reader } from './reader.js';
import { findDataset } from './registry.js';

export const GENERATED_NAMES = ['and', 'or', 'nand', 'xor', 'circle', 'xor2d', 'gaussians', 'spiral', 'moons', 'sine', 'sine-wave', 'adding'] as const;
export type GeneratedName = (typeof GENERATED_NAMES)[number];

export function isGenerated(name: string): name is GeneratedName {
  return (GENERATED_NAMES as readonly string[]).includes(name);
}

export interface GenerateOptions {
  readonly samples: number;
  readonly noise: number;
  /** Number of classes (gaussians, spiral). */
  readonly classes: number;
  /** Sequence length T (sine-wave, adding). */
  readonly length: number;
}

interface Samples {
  readonly x: Float32Array;
  readonly y: Int32Array | Float32Array;
}

const GATES: Readonly<Record<'and' | 'or' | 'nand' | 'xor', readonly number[]>> = {
  and: [0, 0, 0, 1],
  or: [0, 1, 1, 1],
  nand: [1, 1, 1, 0],
  xor: [0, 1, 1, 0],
};

/** n points in 2-D: `point(i)` writes x, y and returns the class. Noise is added afterwards. */
function points2d(n: number, rng: Random, noise: number, point: (i: number) => [number, number, number]): Samples {
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [px, py, label] = point(i);
    x[2 * i] = px + (noise > 0 ? noise * rng.normal() : 0);
    x[2 * i + 1] = py + (noise > 0 ? noise * rng.normal() : 0);
    y[i] = label;
  }
  return { x, y };
}

function generateSamples(name: GeneratedName, n: number, o: GenerateOptions, rng: Random): Samples {
  const { noise } = o;
  const k = o.classes;
  switch (name) {
    case 'and':
    case 'or':
    case 'nand':
    case 'xor': {
      const truth = GATES[name];
      // Rows in truth-table order (00, 01, 10, 11), repeated when n > 4.
      return points2d(n, rng, noise, (i) => [(i >> 1) & 1, i & 1, truth[i & 3]!]);
    }
    case 'circle':
      // Classes alternate so every set is balanced; radii are drawn for uniform area density.
      return points2d(n, rng, noise, (i) => {
        const inside = i % 2 === 0;
        const r = inside ? 0.5 * Math.sqrt(rng.uniform()) : Math.sqrt(0.49 + 0.51 * rng.uniform());
        const t = 2 * Math.PI * rng.uniform();
        return [r * Math.cos(t), r * Math.sin(t), inside ? 1 : 0];
      });
    case 'xor2d':
      // Uniform in [-1, 1]², pushed 0.03 away from the axes (as the Playground does) so the
      // classes are separable before noise.
      return points2d(n, rng, noise, () => {
        const pad = (v: number) => (v >= 0 ? v + 0.03 : v - 0.03);
        const px = pad(rng.uniform() * 1.94 - 0.97);
        const py = pad(rng.uniform() * 1.94 - 0.97);
        return [px, py, px * py > 0 ? 1 : 0];
      });
    case 'gaussians':
      return points2d(n, rng, 0, (i) => {
        const c = i % k;
        const angle = Math.PI / 4 + (2 * Math.PI * c) / k;
        const std = 0.15 + noise;
        return [0.6 * Math.cos(angle) + std * rng.normal(), 0.6 * Math.sin(angle) + std * rng.normal(), c];
      });
    case 'spiral':
      return points2d(n, rng, noise, (i) => {
        const c = i % k;
        const u = rng.uniform();
        const t = 1.75 * u * 2 * Math.PI + (2 * Math.PI * c) / k;
        return [u * Math.sin(t), u * Math.cos(t), c];
      });
    case 'moons':
      // scikit-learn's make_moons, mapped from x ∈ [-1, 2], y ∈ [-0.5, 1] to about [-1, 1] × [-0.5, 0.5].
      return points2d(n, rng, noise, (i) => {
        const c = i % 2;
        const t = Math.PI * rng.uniform();
        const [mx, my] = c === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
        return [(mx - 0.5) / 1.5, (my - 0.25) / 1.5, c];
      });
    case 'sine': {
      const x = new Float32Array(n);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = Math.PI * (2 * rng.uniform() - 1);
        x[i] = v;
        y[i] = Math.sin(v) + (noise > 0 ? noise * rng.normal() : 0);
      }
      return { x, y };
    }
    case 'sine-wave': {
      // Random phase and angular frequency (0.2..0.6 rad per step: about 0.6 to 2 periods in
      // 20 steps); the target is the clean next value.
      const T = o.length;
      const x = new Float32Array(n * T);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const w = 0.2 + 0.4 * rng.uniform();
        const phase = 2 * Math.PI * rng.uniform();
        for (let t = 0; t < T; t++) x[i * T + t] = Math.sin(w * t + phase) + (noise > 0 ? noise * rng.normal() : 0);
        y[i] = Math.sin(w * T + phase);
      }
      return { x, y };
    }
    case 'adding': {
      // Hochreiter & Schmidhuber (1997): values uniform in [0, 1] and a 0/1 marker channel, one
      // mark in each half of the sequence; the target is the sum of the two marked values.
      const T = o.length;
      const half = T >> 1;
      const x = new Float32Array(n * T * 2);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const a = rng.int(half);
        const b = half + rng.int(T - half);
        let sum = 0;
        for (let t = 0; t < T; t++) {
          const v = rng.uniform();
          const at = (i * T + t) * 2;
          x[at] = v;
          if (t === a || t === b) {
            x[at + 1] = 1;
            sum += v;
          }
        }
        y[i] = sum;
      }
      return { x, y };
    }
  }
}

function shapeOf(name: GeneratedName, o: GenerateOptions): number[] {
  if (name === 'sine') return [1];
  if (name === 'sine-wave') return [o.length, 1];
  if (name === 'adding') return [o.length, 2];
  return [2];
}

function classNames(name: GeneratedName, k: number): string[] | undefined {
  if (name === 'sine' || name === 'sine-wave' || name === 'adding') return undefined;
  const info = findDataset(name);
  if ((name === 'gaussians' || name === 'spiral') && k !== 2) return Array.from({ length: k }, (_, i) => String(i));
  return info?.classes?.map((c) => c.en) ?? ['0', '1'];
}

/** One split of a generated set: `samples` samples from the stream of `seed`. */
export function generateDataset(name: GeneratedName, o: GenerateOptions, seed: number, label: string = name): RawDataset {
  const s = generateSamples(name, o.samples, o, new Random(seed));
  const inputShape = shapeOf(name, o);
  const classes = classNames(name, o.classes);
  if (classes) return { name: label, inputShape, size: o.samples, x: s.x, task: 'classification', y: s.y, classes };
  return { name: label, inputShape, size: o.samples, x: s.x, task: 'regression', y: s.y, targetShape: [1] };
}

/** Stream seeds: the training set uses the seed itself, the test set a hash of it. */
export const testSeed = (seed: number) => hash32(seed, 0x7e57);

/** Both splits of a generated set from checked options (defaults filled in by the registry). */
export function generate(name: GeneratedName, options: ResolvedOptions, fallbackSeed: number): RawSplits {
  const seed = numberOption(options, 'seed') ?? fallbackSeed;
  const o: GenerateOptions = {
    samples: numberOption(options, 'samples') ?? 4,
    noise: numberOption(options, 'noise') ?? 0,
    classes: numberOption(options, 'classes') ?? 2,
    length: numberOption(options, 'length') ?? 20,
  };
  if (!Number.isInteger(seed)) throw new DatasetError(`dataset "${name}": seed ${seed} is not a whole number`, undefined, 'Use an integer seed.');
  const train = generateDataset(name, o, seed, `${name} (train)`);
  const testSamples = numberOption(options, 'testSamples') ?? 0;
  if (!testSamples) return { train: { ...train, name } };
  return { train, test: generateDataset(name, { ...o, samples: testSamples }, testSeed(seed), `${name} (test)`) };
}

export const readGenerated: Reader = async ({ info, options, seed }) => {
  if (!isGenerated(info.name)) throw new DatasetError(`"${info.name}" is not a generated dataset`);
  const name = info.name;
  return { version: 1, read: async () => generate(name, options, seed) };
};
