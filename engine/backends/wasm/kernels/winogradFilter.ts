// Host side of the Winograd F(2×2, 3×3) filter gradient (assembly/winogradFilter.ts) for 3×3,
// stride 1, pad 1 convolutions. The batch's tiles are cut into TILE_PARTS fixed ranges, each
// summed into its own copy of S (the ranges depend on the shape only, never on the threads);
// chunks take one range and a group of rows of the 4×4 transform positions ξ, walking the
// range's tiles in order; a second, small pass adds the partial sums in order and folds them
// into dW (and db).

import type { Chunk, KernelContext } from '../context.js';
import { splitRange } from '../shapes.js';
import { winogradOverride } from './winograd.js';

/**
 * Tiles per block (whole tile rows): the block's transforms stay in L2 until its GEMMs read them.
 * 16→32 at 14×14, one thread: 4.7 ms at 16 tiles (S4 loaded and stored every few tiles), 3.1 at
 * 32, 2.8 to 3.1 (noise) from 64 to 256.
 */
const BLOCK_TILES = 64;
/**
 * Partial sums over ranges of tiles: a chunk per range transforms only its own tiles, where
 * chunks that own rows of ξ each transform every tile (the input's row combinations, the dy
 * loads and shuffles). 2: the two threads the app trains with; more threads also split ξ.
 */
const TILE_PARTS = 2;
/** Multiply-adds (direct count) below which the gradient stays on the calling thread. */
const GRAIN_MACS = 1 << 18;

const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/**
 * Whether the Winograd gradient beats the direct one (measured, docs/wasm-backend.md): its
 * GEMMs cost ∝ C·F per tile, its transforms ∝ C + F, the direct sum ∝ 2.25·C·F. At 28×28 with
 * 16 filters it wins from 4 input channels (2.1 against 2.5 ms) and loses at 3 (2.0 against
 * 1.9) and 1 (1.9 against 0.9); 16 → 4 at 14×14 is even, 16 → 2 loses.
 */
export function winogradFilterPays(C: number, F: number): boolean {
  // S's lane sums take 256·C·F bytes of workspace per range of tiles: past 256 × 256 channels
  // (2 × 16 MiB) stay direct.
  if (C * F > 1 << 16) return false;
  if (winogradOverride.mode !== 'auto') return winogradOverride.mode === 'on';
  return C * F >= 3 * (C + F);
}

/**
 * dW (N×C×H×W input x, N×F×H×W dy, F×C×3×3 dW) and db when db ≠ 0. Chunks: rows [r0, r1) of
 * ξ; the blocking depends on the shape only, so the sums are the same on any thread count.
 */
export function winogradFilterGrad(
  ctx: KernelContext, N: number, C: number, H: number, W: number, F: number, x: number, dy: number, dw: number, db: number,
): void {
  const TH = Math.ceil(H / 2);
  const TW = Math.ceil(W / 2);
  const CiP = Math.ceil(C / 4) * 4;
  const FoP = Math.ceil(F / 2) * 2;
  const R = Math.max(1, Math.round(BLOCK_TILES / TW));
  const Ts = Math.ceil((R * TW) / 4) * 4 + 4;
  const Wq = 8 * Math.ceil(TW / 4) + 4;
  // S4: 16 positions × FoP × CiP f32x4 lane sums, then FoP for db (assembly/winogradFilter.ts).
  const sumBytes = align64((16 * FoP * CiP + FoP) * 16);
  // assembly winoFilterScratchBytes: Xt and Dt for up to 16 positions, seven row buffers.
  const perThread = align64((16 * (CiP + FoP) * Ts + 7 * Wq) * 4);
  const tileRows = N * TH;
  // At least one range, even for an empty batch: its chunk zeroes S, so dW and db come out 0.
  const tileParts = Math.max(1, Math.min(TILE_PARTS, tileRows));
  const parallel = ctx.chunksFor(N * F * C * 9 * H * W, GRAIN_MACS) > 1;
  // Groups of ξ rows per range, for threads beyond the ranges (they never change the sums).
  const xiGroups = parallel ? Math.max(1, Math.min(4, Math.floor(ctx.threads / tileParts))) : 1;
  const ws = ctx.workspace(sumBytes * tileParts + perThread * (parallel ? ctx.threads : 1));
  const p = ctx.params([N, C, H, W, F, TH, TW, CiP, FoP, R, Ts, Wq]);
  const scratch = (t: number): number => ws + sumBytes * tileParts + t * perThread;
  const list: Chunk[] = [];
  splitRange(tileRows, tileParts).forEach(([ga, gb], k) => {
    for (const [r0, r1] of splitRange(4, xiGroups)) {
      if (r1 > r0) list.push([p, x, dy, ws + k * sumBytes, r0, r1, ga, gb, scratch(0), db ? 1 : 0]);
    }
  });
  if (parallel) ctx.run('winoFilterAccum', list, ctx.threadScratch([8], (t) => [scratch(t)]));
  else for (const chunk of list) ctx.ex.winoFilterAccum(...chunk);
  // F·C·9 outputs from 16 lane sums each: too little to share out.
  ctx.ex.winoFilterOut(p, ws, tileParts, sumBytes, dw, db, 0, F);
}
