// IDX reading: the real Fashion-MNIST (Debian's package, when installed), the generic `idx`
// reader on small files written here (plain and gzip), and each kind of damaged file:
// truncated, wrong magic, images/labels count mismatch, labels out of range, not installed.

import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetError } from './dataset.js';
import { FASHION_MNIST_SYSTEM_DIR, parseIdx } from './idx.js';
import { loadDataset } from './load.js';
import { tempDirs } from './testing/fixtures.js';

const tmp = tempDirs('nw-idx-');

/** An IDX file: magic 00 00 <type> <rank>, big-endian dims, then the bytes. */
function idx(type: number, dims: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = type;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, body]);
}
const images = (n: number, h = 2, w = 3) => idx(0x08, [n, h, w], Uint8Array.from({ length: n * h * w }, (_, i) => (i * 37) % 256));
const labels = (values: number[]) => idx(0x08, [values.length], Uint8Array.from(values));

async function expectDatasetError(p: Promise<unknown>, pattern: RegExp): Promise<DatasetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  expect((err as DatasetError).message).toMatch(pattern);
  return err as DatasetError;
}

describe('parseIdx', () => {
  it('reads byte images and big-endian multi-byte types', () => {
    const a = parseIdx(images(2), 'a');
    expect(a.dims).toEqual([2, 2, 3]);
    expect(a.type).toBe('u8');
    expect(Array.from(a.data.slice(0, 3))).toEqual([0, 37, 74]);
    const f = Buffer.alloc(8);
    f.writeFloatBE(1.5, 0);
    f.writeFloatBE(-2, 4);
    expect(Array.from(parseIdx(idx(0x0d, [2], f), 'f').data)).toEqual([1.5, -2]);
    const s = Buffer.alloc(4);
    s.writeInt16BE(-300, 0);
    s.writeInt16BE(700, 2);
    expect(Array.from(parseIdx(idx(0x0b, [2], s), 's').data)).toEqual([-300, 700]);
  });

  it('refuses a wrong magic number, naming the file and the number', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    expect(() => parseIdx(png, '/data/x.idx')).toThrow(/\/data\/x\.idx has the wrong magic number 0x89504e47: not an IDX file/);
    expect(() => parseIdx(idx(0x07, [1], Uint8Array.of(1)), 'bad-type')).toThrow(/wrong magic number 0x00000701/);
  });

  it('refuses truncated files: header, and data shorter than the header promises', () => {
    expect(() => parseIdx(Buffer.from([0, 0]), 'tiny')).toThrow(/tiny is truncated: 2 bytes/);
    expect(() => parseIdx(images(3).subarray(0, 10), 'head')).toThrow(/head is truncated inside its header/);
    const cut = images(10).subarray(0, 16 + 50);
    expect(() => parseIdx(cut, 'cut')).toThrow('cut is truncated: its header promises 10×2×3 values (60 bytes) but only 50 bytes follow');
    expect(() => parseIdx(Buffer.concat([images(1), Buffer.from([1])]), 'long')).toThrow(/1 bytes after/);
  });
});

describe('the idx reader', () => {
  it('reads a train/test pair from a folder, gzip or plain, detected by magic bytes', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(images(4)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels([0, 2, 1, 2]));
    // A gzip file without .gz and a plain one with it: the bytes decide.
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), gzipSync(images(2)));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), labels([1, 0]));
    const s = await loadDataset({ name: 'idx', path: dir }, { cache: false });
    expect(s.train.inputShape).toEqual([1, 2, 3]);
    expect(s.train.size).toBe(4);
    expect(s.test?.size).toBe(2);
    expect(s.train.classes).toEqual(['0', '1', '2']);
    expect(s.test?.classes).toEqual(['0', '1', '2']);
    expect(Array.from(s.train.y)).toEqual([0, 2, 1, 2]);
    expect(s.train.x[1]).toBeCloseTo(37 / 255, 7);
    expect(Math.max(...s.train.x)).toBeLessThanOrEqual(1);
  });

  it('takes file names from options', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'pics.bin'), images(3));
    writeFileSync(join(dir, 'tags.bin'), labels([1, 1, 0]));
    const s = await loadDataset({ name: 'idx', path: dir, options: { images: 'pics.bin', labels: 'tags.bin' } }, { cache: false });
    expect(s.train.size).toBe(3);
    expect(s.test).toBeUndefined();
  });

  it('refuses an images/labels count mismatch, naming both files', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), images(5));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels([0, 1, 0, 1]));
    const err = await expectDatasetError(loadDataset({ name: 'idx', path: dir }, { cache: false }), /train-images-idx3-ubyte has 5 images but train-labels-idx1-ubyte has 4 labels/);
    expect(err.file).toBe(join(dir, 'train-labels-idx1-ubyte'));
  });

  it('refuses swapped files and a truncated gzip file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), labels([0, 1]));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), images(2));
    await expectDatasetError(loadDataset({ name: 'idx', path: dir }, { cache: false }), /rank 1, expected images/);
    const dir2 = tmp();
    writeFileSync(join(dir2, 'train-images-idx3-ubyte.gz'), gzipSync(images(50)).subarray(0, 30));
    writeFileSync(join(dir2, 'train-labels-idx1-ubyte'), labels([0]));
    await expectDatasetError(loadDataset({ name: 'idx', path: dir2 }, { cache: false }), /train-images-idx3-ubyte\.gz is a damaged gzip file/);
  });

  it('says which file is missing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), images(1));
    await expectDatasetError(loadDataset({ name: 'idx', path: dir }, { cache: false }), /no train-labels… file in/);
  });
});

describe('fashion-mnist', () => {
  it('explains how to install it when the folder is missing or incomplete', async () => {
    const err = await expectDatasetError(loadDataset({ name: 'fashion-mnist', path: join(tmp(), 'nowhere') }, { cache: false }), /folder not found/);
    expect(err.hint).toMatch(/apt-get install dataset-fashion-mnist/);
    expect(err.hint).toMatch(/give their folder/);
    const partial = tmp();
    writeFileSync(join(partial, 'train-images-idx3-ubyte.gz'), gzipSync(images(1, 28, 28)));
    const err2 = await expectDatasetError(loadDataset({ name: 'fashion-mnist', path: partial }, { cache: false }), /incomplete: .* lacks train-labels-idx1-ubyte\.gz, t10k-images-idx3-ubyte\.gz, t10k-labels-idx1-ubyte\.gz/);
    expect(err2.hint).toMatch(/apt-get install dataset-fashion-mnist/);
  });

  it('refuses labels outside the ten classes, naming the sample', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), images(2, 28, 28));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), labels([3, 12]));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), images(1, 28, 28));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), labels([0]));
    await expectDatasetError(loadDataset({ name: 'fashion-mnist', path: dir }, { cache: false }), /label 12 of sample 1 is not a class index 0\.\.9/);
  });

  it.skipIf(!existsSync(FASHION_MNIST_SYSTEM_DIR))('loads the installed set: 60,000 + 10,000 images of [1, 28, 28], ten named classes', async () => {
    const s = await loadDataset({ name: 'fashion-mnist' }, { cacheDir: tmp() });
    expect(s.train.size).toBe(60000);
    expect(s.test?.size).toBe(10000);
    expect(s.train.inputShape).toEqual([1, 28, 28]);
    expect(s.train.x.length).toBe(60000 * 784);
    expect(s.train.classes).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    // Fashion-MNIST is balanced: 6,000 of each class in train, 1,000 in test.
    const counts = new Array<number>(10).fill(0);
    for (const y of s.train.y) counts[y]!++;
    expect(counts).toEqual(new Array(10).fill(6000));
    let max = 0;
    for (const v of s.test!.x) max = Math.max(max, v);
    expect(max).toBe(1);
  }, 30_000);
});
