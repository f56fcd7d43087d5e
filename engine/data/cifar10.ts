// CIFAR-10, binary version: data_batch_1..5.bin and test_batch.bin, each a run of 3073-byte
// records (1 label byte, then 1024 red, 1024 green, 1024 blue bytes, rows top to bottom).
// That is already the planar [3, 32, 32] layout the engine uses, so records are copied whole.

import { join } from 'node:path';
import { DatasetError } from './dataset.js';
import { isDirectory, isFile, readSource } from './files.js';
import type { RawDataset } from './raw.js';
import type { Reader } from './reader.js';
import { CIFAR10_CLASSES } from './registry.js';

const SIDE = 32;
const PIXELS = 3 * SIDE * SIDE;
export const CIFAR10_RECORD_BYTES = 1 + PIXELS;
const DOWNLOAD = 'Download "CIFAR-10 binary version" from https://www.cs.toronto.edu/~kriz/cifar.html, unpack it, and give the cifar-10-batches-bin folder as the path.';

/** Parses whole files of records into one split. */
export function parseCifar10(name: string, files: readonly { file: string; bytes: Uint8Array }[]): RawDataset {
  for (const { file, bytes } of files) {
    if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
      throw new DatasetError(
        `${file} is ${bytes.length.toLocaleString('en-US')} bytes, not a whole number of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records (a full batch is 30,730,000 bytes)`,
        file,
        `The file is damaged, cut short, or not from the binary version. ${DOWNLOAD}`,
      );
    }
  }
  const size = files.reduce((n, f) => n + f.bytes.length / CIFAR10_RECORD_BYTES, 0);
  const x = new Uint8Array(size * PIXELS);
  const y = new Int32Array(size);
  let k = 0;
  for (const { file, bytes } of files) {
    for (let at = 0; at < bytes.length; at += CIFAR10_RECORD_BYTES, k++) {
      const label = bytes[at]!;
      if (label >= CIFAR10_CLASSES.length) {
        throw new DatasetError(`${file}: record ${at / CIFAR10_RECORD_BYTES} has label ${label}, expected 0..9`, file, `This is not a CIFAR-10 file (CIFAR-100 records are 3074 bytes). ${DOWNLOAD}`);
      }
      y[k] = label;
      x.set(bytes.subarray(at + 1, at + CIFAR10_RECORD_BYTES), k * PIXELS);
    }
  }
  return { name, inputShape: [3, SIDE, SIDE], size, x, task: 'classification', y, classes: CIFAR10_CLASSES.map((c) => c.en) };
}

export const readCifar10: Reader = async ({ path }) => {
  if (!path) throw new DatasetError('dataset "cifar10" needs a path: the folder with data_batch_1.bin … test_batch.bin', undefined, DOWNLOAD);
  // Accept the folder the archive unpacks to, or the one above it.
  let dir = path;
  if (!(await isFile(join(dir, 'data_batch_1.bin'))) && (await isDirectory(join(dir, 'cifar-10-batches-bin')))) dir = join(dir, 'cifar-10-batches-bin');
  if (!(await isDirectory(dir))) throw new DatasetError(`CIFAR-10 folder not found: ${dir}`, dir, DOWNLOAD);
  const trainFiles: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const f = join(dir, `data_batch_${i}.bin`);
    if (await isFile(f)) trainFiles.push(f);
  }
  if (!trainFiles.length) throw new DatasetError(`no data_batch_1.bin … data_batch_5.bin in ${dir}`, dir, DOWNLOAD);
  const testFile = join(dir, 'test_batch.bin');
  const hasTest = await isFile(testFile);
  const load = async (files: readonly string[]) => Promise.all(files.map(async (file) => ({ file, bytes: await readSource(file) })));
  return {
    files: [...trainFiles, ...(hasTest ? [testFile] : [])],
    version: 1,
    async read() {
      const train = parseCifar10('cifar10 (train)', await load(trainFiles));
      return hasTest ? { train, test: parseCifar10('cifar10 (test)', await load([testFile])) } : { train };
    },
  };
};
