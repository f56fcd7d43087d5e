// Data augmentation on the CPU, applied in place to a batch [N, C, H, W] of float32 images.
// Every random choice is a counter hash of (seed, epoch, sample index, op, draw), so a sample
// gets the same transform whatever batch it lands in and however many threads run: the same
// seed reproduces a run bit for bit. Plain loops and one reused scratch buffer, no per-sample allocation.

import { hash32 } from '../core/random.js';
import { DatasetError } from './dataset.js';
import type { Localized } from './registry.js';

/**
 * One augmentation step. Geometric ops fill uncovered pixels with 0 (black after scaling).
 * - `shift`: move the image by a whole number of pixels, dy and dx each uniform in [-pixels, pixels].
 * - `crop`: the CIFAR "random crop": pad by `padding` zeros on every side, cut a random H×W
 *   window. (The same as a shift by up to `padding`; named as papers name it.)
 * - `flip`: mirror left-right with probability `probability` (default 0.5). Not for digits or text.
 * - `rotate`: rotate about the centre by an angle uniform in [-degrees, degrees], bilinear.
 * - `noise`: add gaussian noise of standard deviation `std` to every value; `clip` clamps to [0, 1].
 */
export type AugmentOp =
  | { readonly type: 'shift'; readonly pixels: number }
  | { readonly type: 'crop'; readonly padding: number }
  | { readonly type: 'flip'; readonly probability?: number }
  | { readonly type: 'rotate'; readonly degrees: number }
  | { readonly type: 'noise'; readonly std: number; readonly clip?: boolean };

/** The ops for the UI: what each does and its parameters, in both languages. */
export const AUGMENTATIONS: readonly { readonly type: AugmentOp['type']; readonly params: readonly string[]; readonly description: Localized }[] = [
  { type: 'shift', params: ['pixels'], description: { en: 'Move the image up to `pixels` pixels in each direction.', ja: '画像を縦横それぞれ最大 `pixels` 画素ずらします。' } },
  { type: 'crop', params: ['padding'], description: { en: 'Pad by `padding` pixels, then cut a random window of the original size.', ja: '周囲に `padding` 画素の余白を足し、元の大きさの窓をランダムに切り出します。' } },
  { type: 'flip', params: ['probability'], description: { en: 'Mirror left-right (default probability 0.5). Not for digits or letters.', ja: '左右反転します（既定の確率 0.5）。数字や文字には使いません。' } },
  { type: 'rotate', params: ['degrees'], description: { en: 'Rotate by a random angle up to ±`degrees`, bilinear.', ja: '最大 ±`degrees` 度のランダムな角度で回転します（双線形補間）。' } },
  { type: 'noise', params: ['std', 'clip'], description: { en: 'Add gaussian noise of standard deviation `std`; `clip` keeps values in [0, 1].', ja: '標準偏差 `std` のガウスノイズを加えます。`clip` で値を [0, 1] に収めます。' } },
];

export interface AugmentContext {
  /** The training seed. */
  readonly seed: number;
  readonly epoch: number;
  /** Dataset index of each sample of the batch (not its position in the batch). */
  readonly indices: ArrayLike<number>;
}

/** Uniform in [0, 1) for draw `k` of stream `s`. */
const uniform = (s: number, k: number) => hash32(s, k) / 4294967296;
/** Uniform in (0, 1]: safe for log(). */
const uniformOpen = (s: number, k: number) => (hash32(s, k) + 1) / 4294967296;

/** Seed of sample `index` in `epoch`: the root of every draw for that sample. */
export function sampleSeed(seed: number, epoch: number, index: number): number {
  return hash32(hash32(seed >>> 0, epoch >>> 0), index >>> 0);
}

let scratch = new Float32Array(0);
function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch;
}

/** Integer translation with zero fill: out[c, y, x] = in[c, y - dy, x - dx]. */
function translate(x: Float32Array, at: number, C: number, H: number, W: number, dy: number, dx: number): void {
  if (dy === 0 && dx === 0) return;
  const n = C * H * W;
  const src = scratchOf(n);
  src.set(x.subarray(at, at + n));
  for (let c = 0; c < C; c++) {
    const plane = at + c * H * W;
    const srcPlane = c * H * W;
    for (let y = 0; y < H; y++) {
      const sy = y - dy;
      const row = plane + y * W;
      if (sy < 0 || sy >= H) {
        x.fill(0, row, row + W);
        continue;
      }
      const srcRow = srcPlane + sy * W;
      for (let xx = 0; xx < W; xx++) {
        const sx = xx - dx;
        x[row + xx] = sx >= 0 && sx < W ? src[srcRow + sx]! : 0;
      }
    }
  }
}

function flipRows(x: Float32Array, at: number, C: number, H: number, W: number): void {
  for (let r = 0; r < C * H; r++) {
    const row = at + r * W;
    for (let i = 0, j = W - 1; i < j; i++, j--) {
      const t = x[row + i]!;
      x[row + i] = x[row + j]!;
      x[row + j] = t;
    }
  }
}

/**
 * Rotates one sample (C×H×W values at `at`) about the image centre by `radians`, counter-
 * clockwise as shown on screen (row 0 at the top), bilinear, zero outside. Exported for tests.
 */
export function rotateImage(x: Float32Array, at: number, C: number, H: number, W: number, radians: number): void {
  if (radians === 0) return;
  const n = C * H * W;
  const src = scratchOf(n);
  src.set(x.subarray(at, at + n));
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const cy = (H - 1) / 2;
  const cx = (W - 1) / 2;
  for (let y = 0; y < H; y++) {
    for (let xx = 0; xx < W; xx++) {
      // Inverse map: where in the source does this output pixel come from?
      const ux = xx - cx;
      const uy = y - cy;
      const sx = cos * ux - sin * uy + cx;
      const sy = sin * ux + cos * uy + cy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const in00 = y0 >= 0 && y0 < H && x0 >= 0 && x0 < W;
      const in01 = y0 >= 0 && y0 < H && x0 + 1 >= 0 && x0 + 1 < W;
      const in10 = y0 + 1 >= 0 && y0 + 1 < H && x0 >= 0 && x0 < W;
      const in11 = y0 + 1 >= 0 && y0 + 1 < H && x0 + 1 >= 0 && x0 + 1 < W;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      for (let c = 0; c < C; c++) {
        const p = c * H * W;
        const base = p + y0 * W + x0;
        let v = 0;
        if (in00) v += w00 * src[base]!;
        if (in01) v += w01 * src[base + 1]!;
        if (in10) v += w10 * src[base + W]!;
        if (in11) v += w11 * src[base + W + 1]!;
        x[at + p + y * W + xx] = v;
      }
    }
  }
}

/** Adds std × N(0, 1) to each value; normals in pairs by Box–Muller from the counter hash. */
function addNoise(x: Float32Array, at: number, n: number, std: number, clip: boolean, s: number): void {
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniformOpen(s, i)));
    const t = 2 * Math.PI * uniform(s, i + 1);
    let a = x[at + i]! + std * r * Math.cos(t);
    if (clip) a = a < 0 ? 0 : a > 1 ? 1 : a;
    x[at + i] = a;
    if (i + 1 < n) {
      let b = x[at + i + 1]! + std * r * Math.sin(t);
      if (clip) b = b < 0 ? 0 : b > 1 ? 1 : b;
      x[at + i + 1] = b;
    }
  }
}

function checkOp(op: AugmentOp): void {
  const bad = (what: string, hint: string) => {
    throw new DatasetError(`augmentation "${op.type}": ${what}`, undefined, hint);
  };
  switch (op.type) {
    case 'shift':
      if (!Number.isInteger(op.pixels) || op.pixels < 0) bad(`pixels must be a whole number ≥ 0, got ${op.pixels}`, 'Try 2 for 28×28 digits.');
      break;
    case 'crop':
      if (!Number.isInteger(op.padding) || op.padding < 0) bad(`padding must be a whole number ≥ 0, got ${op.padding}`, 'Try 4 for 32×32 CIFAR images.');
      break;
    case 'flip':
      if (op.probability !== undefined && !(op.probability >= 0 && op.probability <= 1)) bad(`probability must be in [0, 1], got ${op.probability}`, 'Try 0.5.');
      break;
    case 'rotate':
      if (!(Number.isFinite(op.degrees) && op.degrees >= 0 && op.degrees <= 180)) bad(`degrees must be in [0, 180], got ${op.degrees}`, 'Small angles (10 to 15) keep digits readable.');
      break;
    case 'noise':
      if (!(Number.isFinite(op.std) && op.std >= 0)) bad(`std must be a number ≥ 0, got ${op.std}`, 'Try 0.05 for images in [0, 1].');
      break;
    default:
      throw new DatasetError(`unknown augmentation "${(op as { type: string }).type}"`, undefined, `Use one of: ${AUGMENTATIONS.map((a) => a.type).join(', ')}.`);
  }
}

/**
 * Applies `ops` in order to every sample of the batch `x` (shape [N, C, H, W]), in place, and
 * returns `x`. Sample n's randomness comes from (ctx.seed, ctx.epoch, ctx.indices[n]).
 */
export function augmentBatch(x: Float32Array, shape: readonly [number, number, number, number], ops: readonly AugmentOp[], ctx: AugmentContext): Float32Array {
  const [N, C, H, W] = shape;
  if (x.length !== N * C * H * W) throw new Error(`augment: batch has ${x.length} values, shape [${shape.join(', ')}] needs ${N * C * H * W}`);
  if (ctx.indices.length !== N) throw new Error(`augment: ${ctx.indices.length} sample indices for a batch of ${N}`);
  for (const op of ops) checkOp(op);
  const per = C * H * W;
  for (let n = 0; n < N; n++) {
    const at = n * per;
    const root = sampleSeed(ctx.seed, ctx.epoch, ctx.indices[n]!);
    for (let j = 0; j < ops.length; j++) {
      const op = ops[j]!;
      const s = hash32(root, j);
      switch (op.type) {
        case 'shift':
        case 'crop': {
          const m = op.type === 'shift' ? op.pixels : op.padding;
          const dy = Math.floor(uniform(s, 0) * (2 * m + 1)) - m;
          const dx = Math.floor(uniform(s, 1) * (2 * m + 1)) - m;
          translate(x, at, C, H, W, dy, dx);
          break;
        }
        case 'flip':
          if (uniform(s, 0) < (op.probability ?? 0.5)) flipRows(x, at, C, H, W);
          break;
        case 'rotate':
          rotateImage(x, at, C, H, W, ((2 * uniform(s, 0) - 1) * op.degrees * Math.PI) / 180);
          break;
        case 'noise':
          if (op.std > 0) addNoise(x, at, per, op.std, op.clip ?? false, s);
          break;
      }
    }
  }
  return x;
}
