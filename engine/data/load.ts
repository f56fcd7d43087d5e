// loadDataset: the one entry point from a graph's `training.dataset` to train/test data.
// It looks the name up in the registry, checks the options, lets the reader find its files,
// and puts the parsed-data cache in front of every file-based reader.

import { createHash } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { cacheFile, defaultCacheDir, readCache, writeCache, type Log } from './cache.js';
import { readCifar10 } from './cifar10.js';
import { readCsv } from './csv.js';
import { DatasetError, type DatasetSplits } from './dataset.js';
import { fileIdentity } from './files.js';
import { GENERATED_NAMES, readGenerated } from './generated.js';
import { readFashionMnist, readIdxFolder } from './idx.js';
import { readImages } from './images.js';
import { readMnist } from './mnist.js';
import { resolveOptions } from './options.js';
import { consistent, materializeSplits, type RawSplits } from './raw.js';
import type { Reader } from './reader.js';
import { DATASETS, findDataset, type DatasetInfo, type DatasetOptions } from './registry.js';

/** `training.dataset` of the graph document. */
export interface DatasetConfig {
  readonly name: string;
  /** A file or folder; relative paths are taken from `env.baseDir`. */
  readonly path?: string;
  readonly options?: DatasetOptions;
}

export interface LoadEnv {
  /** Folder for parsed-data cache files; default `defaultCacheDir()` (~/.cache/netwright/datasets). */
  readonly cacheDir?: string;
  /** false: neither read nor write the cache. Default true. */
  readonly cache?: boolean;
  /** Seed for generated sets when their options name none (pass the training seed). Default 42. */
  readonly seed?: number;
  /** Folder that relative dataset paths start from (the graph file's folder). Default: the working directory. */
  readonly baseDir?: string;
  /** Notices that are not errors: cache rebuilt or not writable, files skipped. */
  readonly log?: Log;
}

const READERS: Readonly<Record<string, Reader>> = {
  mnist: readMnist,
  'fashion-mnist': readFashionMnist,
  cifar10: readCifar10,
  idx: readIdxFolder,
  csv: readCsv,
  images: readImages,
  ...Object.fromEntries(GENERATED_NAMES.map((n) => [n, readGenerated])),
};

const ALIASES: Readonly<Record<string, string>> = {
  'cifar-10': 'cifar10',
  fashionmnist: 'fashion-mnist',
  'fashion-mnist': 'fashion-mnist',
  image: 'images',
  'image-folder': 'images',
};

/** The registry entry for a dataset name as a user may write it ("Fashion_MNIST", "CIFAR-10"). */
export function resolveDatasetName(name: string): DatasetInfo {
  const key = name.trim().toLowerCase().replace(/_/g, '-');
  const info = findDataset(ALIASES[key] ?? key);
  if (info) return info;
  throw new DatasetError(`unknown dataset "${name}"`, undefined, `Built-in datasets: ${DATASETS.map((d) => d.name).join(', ')}.`);
}

/** Train (and, where the source has one, test) data for `training.dataset`. */
export async function loadDataset(config: DatasetConfig, env: LoadEnv = {}): Promise<DatasetSplits> {
  const info = resolveDatasetName(config.name);
  const options = resolveOptions(info, config.options);
  if (info.needsPath && !config.path) {
    throw new DatasetError(`dataset "${info.name}" needs a path`, undefined, `Set training.dataset.path to ${info.name === 'csv' ? 'the .csv file' : 'the folder that holds the data'}.`);
  }
  const path = config.path ? resolvePath(env.baseDir ?? process.cwd(), config.path) : undefined;
  const log = env.log ?? (() => undefined);
  const reader = READERS[info.name];
  if (!reader) throw new Error(`data: no reader registered for "${info.name}"`);
  const plan = await reader({ info, path, options, seed: env.seed ?? 42, log });

  const check = (raw: RawSplits): RawSplits => {
    // A reader bug, not a user error: catch it here rather than as NaNs in training.
    for (const d of [raw.train, raw.test]) if (d && !consistent(d)) throw new Error(`data: reader "${info.name}" produced an inconsistent dataset "${d.name}"`);
    return raw;
  };
  if (!plan.files || env.cache === false) return materializeSplits(check(await plan.read()));

  // The file name depends on what is read (dataset, path, options); the identity inside the
  // file adds every source file's size and mtime and the reader version, so an edit re-parses.
  const sourceKey = JSON.stringify({ name: info.name, path: path ?? null, options });
  // Hashed: an image folder can list thousands of files, and only equality matters.
  const files = createHash('sha256').update(await fileIdentity(plan.files)).digest('hex');
  const identity = JSON.stringify({ sourceKey, version: plan.version, files });
  const file = cacheFile(env.cacheDir ?? defaultCacheDir(), path ? `${info.name}-${path.split(/[\\/]/).filter(Boolean).at(-1) ?? ''}` : info.name, sourceKey);
  const hit = await readCache(file, identity, log);
  if (hit) return materializeSplits(hit);
  const raw = check(await plan.read());
  await writeCache(file, identity, raw, log);
  return materializeSplits(raw);
}
