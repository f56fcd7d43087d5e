// The IDX format of MNIST and Fashion-MNIST (magic 0x00 0x00 <type> <rank>, big-endian u32
// dims, big-endian data), gzip or plain; finding the images/labels files in a folder; and
// turning an images/labels pair into a dataset, with errors that say which file is wrong.

import { basename, join, resolve as resolvePath } from 'node:path';
import { DatasetError } from './dataset.js';
import { isDirectory, listFolder, readMaybeGzip } from './files.js';
import { stringOption } from './options.js';
import { prod, type RawDataset, type RawSplits } from './raw.js';
import type { Reader } from './reader.js';
import { FASHION_MNIST_CLASSES } from './registry.js';

export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  readonly dims: readonly number[];
  readonly type: IdxType;
  readonly data: IdxData;
}

const TYPES: Readonly<Record<number, { type: IdxType; width: number }>> = {
  0x08: { type: 'u8', width: 1 },
  0x09: { type: 'i8', width: 1 },
  0x0b: { type: 'i16', width: 2 },
  0x0c: { type: 'i32', width: 4 },
  0x0d: { type: 'f32', width: 4 },
  0x0e: { type: 'f64', width: 8 },
};

const REINSTALL = 'The file is incomplete or not an IDX file: download or install it again.';
const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const fmt = (n: number) => n.toLocaleString('en-US');

/** Parses one IDX file's bytes (already gunzipped). `file` is for messages only. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DatasetError(`${file} is truncated: ${bytes.length} bytes, too short for an IDX header`, file, REINSTALL);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const kind = TYPES[bytes[2]!];
  const rank = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || !kind || rank === 0) {
    throw new DatasetError(
      `${file} has the wrong magic number ${hex(magic)}: not an IDX file (labels start with 0x00000801, images with 0x00000803)`,
      file,
      REINSTALL,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new DatasetError(`${file} is truncated inside its header (${bytes.length} of ${headerBytes} bytes)`, file, REINSTALL);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  const count = prod(dims);
  const expected = count * kind.width;
  const available = bytes.length - headerBytes;
  if (available < expected) {
    throw new DatasetError(
      `${file} is truncated: its header promises ${dims.join('×')} values (${fmt(expected)} bytes) but only ${fmt(available)} bytes follow`,
      file,
      REINSTALL,
    );
  }
  if (available > expected) {
    throw new DatasetError(`${file} has ${fmt(available - expected)} bytes after the ${dims.join('×')} values its header promises`, file, REINSTALL);
  }
  const body = bytes.subarray(headerBytes);
  let data: IdxData;
  switch (kind.type) {
    case 'u8':
      data = new Uint8Array(body); // a copy: owns its buffer
      break;
    case 'i8':
      data = new Int8Array(body.buffer.slice(body.byteOffset, body.byteOffset + count));
      break;
    default: {
      // Multi-byte IDX values are big-endian: read through a DataView.
      const dv = new DataView(body.buffer, body.byteOffset, expected);
      if (kind.type === 'i16') {
        const a = new Int16Array(count);
        for (let i = 0; i < count; i++) a[i] = dv.getInt16(2 * i);
        data = a;
      } else if (kind.type === 'i32') {
        const a = new Int32Array(count);
        for (let i = 0; i < count; i++) a[i] = dv.getInt32(4 * i);
        data = a;
      } else if (kind.type === 'f32') {
        const a = new Float32Array(count);
        for (let i = 0; i < count; i++) a[i] = dv.getFloat32(4 * i);
        data = a;
      } else {
        const a = new Float64Array(count);
        for (let i = 0; i < count; i++) a[i] = dv.getFloat64(8 * i);
        data = a;
      }
    }
  }
  return { dims, type: kind.type, data };
}

/** Reads and parses an IDX file, gzip or plain (detected by its first bytes). */
export async function readIdx(file: string): Promise<IdxArray> {
  return parseIdx(await readMaybeGzip(file), file);
}

export interface IdxPairFiles {
  readonly images: string;
  readonly labels: string;
}

/**
 * One split from an images/labels pair. Byte images keep their bytes (scaled to [0, 1] on
 * load); other types are used as they are. [N, H, W] images get one channel: [1, H, W].
 * `classes` fixes the class names (labels outside them are an error); otherwise the caller
 * names classes 0..max (see `loadIdxSplits`).
 */
export function idxDataset(name: string, files: IdxPairFiles, images: IdxArray, labels: IdxArray, classes?: readonly string[]): RawDataset {
  if (images.dims.length < 2) {
    throw new DatasetError(`${files.images} is an IDX file of rank ${images.dims.length}, expected images (rank 2 or more: count × sample shape)`, files.images, 'Check that the images and labels files are not swapped.');
  }
  if (labels.dims.length !== 1) {
    throw new DatasetError(`${files.labels} is an IDX file of rank ${labels.dims.length}, expected labels (rank 1)`, files.labels, 'Check that the images and labels files are not swapped.');
  }
  const n = images.dims[0]!;
  if (labels.dims[0] !== n) {
    throw new DatasetError(
      `${basename(files.images)} has ${fmt(n)} images but ${basename(files.labels)} has ${fmt(labels.dims[0]!)} labels`,
      files.labels,
      'The two files must come from the same set (both train or both test) and be complete.',
    );
  }
  const sample = images.dims.slice(1);
  const inputShape = sample.length === 2 ? [1, ...sample] : sample;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.data[i]!;
    if (!Number.isInteger(v) || v < 0 || (classes && v >= classes.length)) {
      throw new DatasetError(
        `${files.labels}: label ${v} of sample ${i} is not ${classes ? `a class index 0..${classes.length - 1}` : 'a class index (a whole number ≥ 0)'}`,
        files.labels,
        REINSTALL,
      );
    }
    y[i] = v;
  }
  const x = images.data instanceof Uint8Array ? images.data : Float32Array.from(images.data);
  return { name, inputShape, size: n, x, task: 'classification', y, classes: classes ?? [] };
}

const PREFIXES = { train: ['train'], test: ['t10k', 'test'] } as const;

/** Finds `<split>-images…` / `<split>-labels…` in a folder (any of - . _ after the prefix, .gz or not). */
export async function findIdxPair(dir: string, split: 'train' | 'test'): Promise<{ images?: string; labels?: string }> {
  const names = (await listFolder(dir)).filter((e) => !e.isDir).map((e) => e.name);
  const pick = (kind: 'images' | 'labels') => {
    for (const prefix of PREFIXES[split]) {
      const re = new RegExp(`^${prefix}[-_.]${kind}`, 'i');
      const hit = names.find((n) => re.test(n) && !n.endsWith('.tmp'));
      if (hit) return join(dir, hit);
    }
    return undefined;
  };
  return { images: pick('images'), labels: pick('labels') };
}

/**
 * Reads the train pair and an optional test pair. Without fixed `classes`, classes are named
 * "0".."max" over both splits, so a test set missing the last class still has every class.
 */
export async function loadIdxSplits(
  name: string,
  train: IdxPairFiles,
  test: IdxPairFiles | undefined,
  classes?: readonly string[],
): Promise<RawSplits> {
  const [ti, tl, si, sl] = await Promise.all([
    readIdx(train.images),
    readIdx(train.labels),
    test ? readIdx(test.images) : undefined,
    test ? readIdx(test.labels) : undefined,
  ]);
  const trainSet = idxDataset(`${name} (train)`, train, ti, tl, classes);
  const testSet = test && si && sl ? idxDataset(`${name} (test)`, test, si, sl, classes) : undefined;
  if (testSet && testSet.inputShape.join() !== trainSet.inputShape.join()) {
    throw new DatasetError(
      `${test!.images} holds samples of shape [${testSet.inputShape.join(', ')}] but the training images are [${trainSet.inputShape.join(', ')}]`,
      test!.images,
      'Train and test images must have the same size.',
    );
  }
  if (!classes) {
    let max = -1;
    for (const set of [trainSet, testSet]) if (set) for (const v of set.y) max = Math.max(max, v);
    const names = Array.from({ length: max + 1 }, (_, i) => String(i));
    return testSet ? { train: { ...trainSet, classes: names }, test: { ...testSet, classes: names } } : { train: { ...trainSet, classes: names } };
  }
  return testSet ? { train: trainSet, test: testSet } : { train: trainSet };
}

// ---------------------------------------------------------------------------------------
// Readers: `idx` (any pair, in `path`) and `fashion-mnist` (system folder or `path`).

/** Where Debian's `dataset-fashion-mnist` package puts the four files. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

export const readIdxFolder: Reader = async ({ path, options }) => {
  if (!path) throw new DatasetError('dataset "idx" needs a path: the folder that holds the IDX files', undefined, 'Set training.dataset.path.');
  const dir = path;
  const named = (key: string) => {
    const f = stringOption(options, key);
    return f === undefined ? undefined : resolvePath(dir, f);
  };
  const found = { train: await findIdxPair(dir, 'train'), test: await findIdxPair(dir, 'test') };
  const train = { images: named('images') ?? found.train.images, labels: named('labels') ?? found.train.labels };
  const test = { images: named('testImages') ?? found.test.images, labels: named('testLabels') ?? found.test.labels };
  if (!train.images || !train.labels) {
    throw new DatasetError(
      `no ${!train.images ? 'train-images…' : 'train-labels…'} file in ${dir}`,
      dir,
      'Name the files train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz), or give them with the options "images" and "labels".',
    );
  }
  if (!!test.images !== !!test.labels) {
    throw new DatasetError(`${dir} has test ${test.images ? 'images' : 'labels'} but no test ${test.images ? 'labels' : 'images'}`, dir, 'Add the missing file or remove the other one.');
  }
  const trainPair = { images: train.images, labels: train.labels };
  const testPair = test.images && test.labels ? { images: test.images, labels: test.labels } : undefined;
  return {
    files: [trainPair.images, trainPair.labels, ...(testPair ? [testPair.images, testPair.labels] : [])],
    version: 1,
    read: () => loadIdxSplits(basename(dir), trainPair, testPair),
  };
};

export const readFashionMnist: Reader = async ({ path }) => {
  const dir = path ?? FASHION_MNIST_SYSTEM_DIR;
  const install =
    'Install it with `sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or download the four files from https://github.com/zalandoresearch/fashion-mnist and give their folder as the dataset path.';
  if (!(await isDirectory(dir))) {
    throw new DatasetError(
      path ? `Fashion-MNIST folder not found: ${dir}` : `Fashion-MNIST is not installed (no folder ${dir})`,
      dir,
      install,
    );
  }
  const train = await findIdxPair(dir, 'train');
  const test = await findIdxPair(dir, 'test');
  const missing = [
    !train.images && 'train-images-idx3-ubyte.gz',
    !train.labels && 'train-labels-idx1-ubyte.gz',
    !test.images && 't10k-images-idx3-ubyte.gz',
    !test.labels && 't10k-labels-idx1-ubyte.gz',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length) throw new DatasetError(`Fashion-MNIST is incomplete: ${dir} lacks ${missing.join(', ')}`, dir, install);
  const trainPair = { images: train.images!, labels: train.labels! };
  const testPair = { images: test.images!, labels: test.labels! };
  const classes = FASHION_MNIST_CLASSES.map((c) => c.en);
  return {
    files: [trainPair.images, trainPair.labels, testPair.images, testPair.labels],
    version: 1,
    read: () => loadIdxSplits('fashion-mnist', trainPair, testPair, classes),
  };
};
