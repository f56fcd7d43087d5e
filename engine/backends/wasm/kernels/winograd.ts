// Host side of the Winograd F(2×2, 3×3) path (assembly/winograd.ts) for Conv2D and
// Conv2DBackpropInput: 3×3, stride 1, dilation 1, one group, pad 1 on every side. The filters
// are transformed once per call on this thread; threads take whole samples, each with its own
// padded input, V and M scratch. When it pays: winogradPays, measured in docs/wasm-backend.md.

import type { ConvAttrs } from '../../backend.js';
import type { Chunk, KernelContext } from '../context.js';
import { splitRange } from '../shapes.js';

const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/** Multiply-adds (of the direct convolution) per thread below which a call stays on one thread. */
const GRAIN_MACS = 1 << 18;
/**
 * Bytes of V (16 × Cin floats a tile) a block of tile rows may take: a share of L2. Measured
 * against 64 KiB blocks: 32→16 at 14×14 in one block instead of two 1.05×, 8→16 at 28×28
 * 1.07×, 64→64 at 14×14 1.02×; 16→16 at 56×56 (4 rows of 28 tiles instead of 2) 0.97×.
 */
const BLOCK_BYTES = 128 * 1024;

/** 3×3, stride 1, dilation 1, one group, pad 1 everywhere: "same" convolutions. */
export function winogradApplies(kh: number, kw: number, groups: number, attrs: ConvAttrs): boolean {
  return (
    kh === 3 && kw === 3 && groups === 1 && attrs.stride.every((s) => s === 1) && attrs.dilation.every((d) => d === 1) && attrs.pad.every((p) => p === 1)
  );
}

/**
 * Whether Winograd beats the other paths for Cin input channels into Cout outputs (the
 * routine's view: for the input gradient, Cin = F and Cout = C). Measured at batch 128,
 * docs/wasm-backend.md: the transforms cost per input and output element while the GEMMs save
 * 20 of 36 multiplications per (ci, co) pair, so small channel products lose (4→4 ×0.89,
 * 3→8 ×0.97, 1→16 ×0.61); output channels go in groups of 4, so 1 or 2 waste most of a group
 * (16→1 ×0.48, 16→2 ×0.87); 8→3 ×1.6 (against im2col), 4→8 ×1.05, 16→32 ×1.57.
 */
export function winogradPays(Cin: number, Cout: number): boolean {
  if (winogradOverride.mode !== 'auto') return winogradOverride.mode === 'on';
  return Cin >= 4 && Cout >= 3 && Cin * Cout >= 24;
}

/** For tests and benchmarks: force the Winograd paths (forward, input and filter gradients) on or off wherever they apply. */
export const winogradOverride: { mode: 'auto' | 'on' | 'off' } = { mode: 'auto' };

/**
 * y (N × Cout × H × W) = the same 3×3 convolution of x (N × Cin × H × W) with w (+ bias);
 * transpose: w is the forward weights of the input gradient (F × C × 3 × 3 with F = Cin), used
 * rotated and transposed.
 */
export function winogradConv(
  ctx: KernelContext, N: number, Cin: number, Cout: number, H: number, W: number, w: number, transpose: boolean, x: number, y: number, bias = 0,
): void {
  const TH = Math.ceil(H / 2);
  const TW = Math.ceil(W / 2);
  const tw4 = Math.ceil(TW / 4) * 4;
  const HP = 2 * TH + 2;
  const EW = tw4 + 4;
  const COB = Math.ceil(Cout / 4);
  // Blocks of equal numbers of tile rows, as few as fit the budget: each block rounds its tile
  // count up (to the 4-wide transforms' tw4 in its last row, then to 4).
  const rows = Math.ceil(TH / Math.max(1, Math.ceil((TH * TW * 64 * Cin) / BLOCK_BYTES)));
  const TB = Math.ceil(((rows - 1) * TW + tw4) / 4) * 4;
  // Plane strides of an odd number of 64-byte lines (assembly/winograd.ts, winogradConv).
  const oddLines = (floats: number): number => (Math.ceil(floats / 16) | 1) * 16;
  const XS = oddLines(Cin * TB);
  const MS = oddLines(4 * TB);
  const uBytes = align64(16 * COB * 4 * Cin * 4);
  const padBytes = align64(Cin * HP * 2 * EW * 4);
  const vBytes = align64(16 * XS * 4);
  const mBytes = align64(16 * MS * 4);
  const perThread = padBytes + vBytes + mBytes;
  const chunks = ctx.chunksFor(N * Cin * Cout * H * W * 9, GRAIN_MACS, N);
  const ws = ctx.workspace(uBytes + perThread * (chunks > 1 ? ctx.threads : 1));
  ctx.ex.winogradFilter(w, transpose ? Cin : Cout, transpose ? Cout : Cin, transpose ? 1 : 0, ws);
  const p = ctx.params([N, Cin, H, W, Cout, TH, TW, HP, EW, rows, TB, COB, XS, MS]);
  const scratch = (t: number): number => ws + uBytes + t * perThread;
  const list: Chunk[] = splitRange(N, chunks)
    .filter(([n0, n1]) => n1 > n0)
    .map(([n0, n1]) => [p, x, ws, y, n0, n1, scratch(0), scratch(0) + padBytes, scratch(0) + padBytes + vBytes, bias]);
  ctx.run('winogradConv', list, ctx.threadScratch([6, 7, 8], (t) => [scratch(t), scratch(t) + padBytes, scratch(t) + padBytes + vBytes]));
}
