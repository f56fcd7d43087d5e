// Normalisation layers as compositions of ops (their gradients come for free, and the debugger
// shows their inner arithmetic): batch normalisation over the channel axis 1, and AlexNet's local
// response normalisation across channels.

import { formatShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul, pow, rsqrt, scale, square, sub } from './elementwise.js';
import { avgPool } from './pool.js';
import { mean } from './reduce.js';
import { pad, reshape } from './shape.js';

export interface BatchNormOptions {
  /** Added to the variance before the square root; 1e-5 by default. */
  readonly epsilon?: number;
  /**
   * Inference: normalise with these running statistics ([C]) instead of the batch's. Give both
   * or neither.
   */
  readonly mean?: Tensor;
  readonly variance?: Tensor;
}

export interface BatchNormResult {
  readonly y: Tensor;
  /** The statistics used, [C]: the batch's in training (for the running averages), else the given ones. */
  readonly mean: Tensor;
  /** Biased (divide-by-n) batch variance in training. */
  readonly variance: Tensor;
}

/**
 * y = γ·(x − μ)/√(σ² + ε) + β per channel (axis 1) of x [N, C, ...]; γ and β are [C]. In
 * training (no running statistics given) μ and σ² are the batch's, over every axis but 1; the
 * gradient then flows through them too, as it must.
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, options: BatchNormOptions = {}): BatchNormResult {
  if (x.rank < 2) throw new Error(`batchNorm: expects [N, C, ...], got ${formatShape(x.shape)}`);
  const channels = x.shape[1]!;
  if (gamma.size !== channels || beta.size !== channels) throw new Error(`batchNorm: gamma and beta need ${channels} values`);
  if ((options.mean === undefined) !== (options.variance === undefined)) throw new Error('batchNorm: give both mean and variance, or neither');
  const epsilon = options.epsilon ?? 1e-5;
  // [1, C, 1, ...]: per-channel values line up with x by broadcasting.
  const channelShape = x.shape.map((d, k) => (k === 1 ? d : 1));
  const axes = x.shape.map((_, k) => k).filter((k) => k !== 1);

  let mu: Tensor;
  let variance: Tensor;
  let centred: Tensor;
  if (options.mean !== undefined && options.variance !== undefined) {
    mu = reshape(options.mean, channelShape);
    variance = reshape(options.variance, channelShape);
    centred = sub(x, mu);
  } else {
    mu = mean(x, axes, true);
    centred = sub(x, mu);
    variance = mean(square(centred), axes, true);
  }
  const normalised = mul(centred, rsqrt(scale(variance, 1, epsilon)));
  const y = add(mul(normalised, reshape(gamma, channelShape)), reshape(beta, channelShape));
  return { y, mean: reshape(mu, [channels]), variance: reshape(variance, [channels]) };
}

export interface LrnOptions {
  /** Channels in the window, the channel itself included; 5 by default. */
  readonly size?: number;
  /** Scale of the sum of squares (not divided by size, as in the AlexNet paper); 1e-4 by default. */
  readonly alpha?: number;
  /** Exponent; 0.75 by default. */
  readonly beta?: number;
  /** Offset; 2 by default. */
  readonly k?: number;
}

/**
 * Local response normalisation of x [N,C,H,W] across channels, as the catalog defines it:
 * y_c = x_c / (k + α Σ_j x_j²)^β with j from c − ⌊(n−1)/2⌋ to c + ⌈(n−1)/2⌉ (clipped to the
 * channels). The windowed sum is an average pool over the channel axis of the zero-padded
 * squares, times n: pad → reshape to [N,1,C+n−1,H·W] → avgPool n×1 → scale.
 */
export function lrn(x: Tensor, options: LrnOptions = {}): Tensor {
  if (x.rank !== 4) throw new Error(`lrn: expects [N,C,H,W], got ${formatShape(x.shape)}`);
  const n = options.size ?? 5;
  const alpha = options.alpha ?? 1e-4;
  const beta = options.beta ?? 0.75;
  const k = options.k ?? 2;
  if (!Number.isInteger(n) || n < 1) throw new Error(`lrn: size must be a positive integer, got ${n}`);
  const [batch, c, h, w] = x.shape as [number, number, number, number];
  const before = Math.floor((n - 1) / 2);
  const after = n - 1 - before;
  const padded = pad(square(x), [0, before, 0, 0], [0, after, 0, 0]);
  const windows = avgPool(reshape(padded, [batch, 1, c + n - 1, h * w]), { kernel: [n, 1], stride: 1 });
  // k + α·(n · window mean) = k + α·Σ x².
  const base = scale(reshape(windows, [batch, c, h, w]), alpha * n, k);
  return mul(x, pow(base, -beta));
}
