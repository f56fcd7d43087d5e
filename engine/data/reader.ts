// The shape every reader has, so loadDataset can put the cache in front of all of them: a
// reader first *plans* (finds its files, failing early with a clear error when they are
// missing), then loadDataset keys the cache by those files and calls `read` only on a miss.

import type { Log } from './cache.js';
import type { ResolvedOptions } from './options.js';
import type { RawSplits } from './raw.js';
import type { DatasetInfo } from './registry.js';

export interface ReadContext {
  readonly info: DatasetInfo;
  /** `training.dataset.path`, made absolute. */
  readonly path?: string;
  readonly options: ResolvedOptions;
  /** The seed for generated sets (option `seed`, else the training seed). */
  readonly seed: number;
  readonly log: Log;
}

export interface ReadPlan {
  /** Every file `read` uses, for the cache key; absent: never cached (generated sets). */
  readonly files?: readonly string[];
  /** Bumped when a reader's output changes for the same files, so old cache entries miss. */
  readonly version: number;
  read(): Promise<RawSplits>;
}

export type Reader = (ctx: ReadContext) => Promise<ReadPlan>;
