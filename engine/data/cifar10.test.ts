// CIFAR-10 binary batches, written here as tiny files of a few records: layout [3, 32, 32],
// scaling, batch order, the unpacked-archive folder, and files of the wrong size.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CIFAR10_RECORD_BYTES } from './cifar10.js';
import { loadDataset } from './load.js';
import { datasetFailure, tempDirs } from './testing/fixtures.js';

const tmp = tempDirs('nw-cifar-');

/** Records whose pixels encode (record, channel): red plane = 10·r, green = 10·r + 1, blue = 10·r + 2. */
function batch(labels: number[], first = 0): Buffer {
  const b = Buffer.alloc(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((label, i) => {
    const at = i * CIFAR10_RECORD_BYTES;
    b[at] = label;
    for (let c = 0; c < 3; c++) b.fill(10 * (first + i) + c, at + 1 + c * 1024, at + 1 + (c + 1) * 1024);
  });
  return b;
}

describe('cifar10', () => {
  it('reads data batches in order and the test batch, as [3, 32, 32] in [0, 1]', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'data_batch_1.bin'), batch([3, 9]));
    writeFileSync(join(dir, 'data_batch_2.bin'), batch([0], 2));
    writeFileSync(join(dir, 'test_batch.bin'), batch([8], 3));
    const s = await loadDataset({ name: 'cifar10', path: dir }, { cache: false });
    expect(s.train.size).toBe(3);
    expect(s.test?.size).toBe(1);
    expect(s.train.inputShape).toEqual([3, 32, 32]);
    expect(Array.from(s.train.y)).toEqual([3, 9, 0]);
    expect(s.train.classes?.[3]).toBe('cat');
    const px = (set: typeof s.train, n: number, c: number) => Math.round(set.x[n * 3072 + c * 1024 + 500]! * 255);
    expect([px(s.train, 1, 0), px(s.train, 1, 1), px(s.train, 1, 2), px(s.train, 2, 2)]).toEqual([10, 11, 12, 22]);
    expect(px(s.test!, 0, 1)).toBe(31);
  });

  it('accepts the folder above cifar-10-batches-bin', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'cifar-10-batches-bin'));
    writeFileSync(join(dir, 'cifar-10-batches-bin', 'data_batch_1.bin'), batch([1]));
    const s = await loadDataset({ name: 'cifar10', path: dir }, { cache: false });
    expect(s.train.size).toBe(1);
    expect(s.test).toBeUndefined();
  });

  it('refuses a file of the wrong size, naming it', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'data_batch_1.bin'), batch([1, 2]).subarray(0, CIFAR10_RECORD_BYTES + 100));
    const err = await datasetFailure(loadDataset({ name: 'cifar10', path: dir }, { cache: false }));
    expect(err.message).toBe(`${join(dir, 'data_batch_1.bin')} is 3,173 bytes, not a whole number of 3073-byte CIFAR-10 records (a full batch is 30,730,000 bytes)`);
    expect(err.hint).toMatch(/binary version/);
  });

  it('refuses labels above 9 and a folder without batches', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'data_batch_1.bin'), batch([1, 42]));
    expect((await datasetFailure(loadDataset({ name: 'cifar10', path: dir }, { cache: false }))).message).toMatch(/record 1 has label 42, expected 0\.\.9/);
    expect((await datasetFailure(loadDataset({ name: 'cifar10', path: tmp() }, { cache: false }))).message).toMatch(/no data_batch_1\.bin … data_batch_5\.bin in/);
    expect((await datasetFailure(loadDataset({ name: 'cifar10' }, { cache: false }))).message).toBe('dataset "cifar10" needs a path');
  });
});
