// The dataset layer's public API: loadDataset and its config, the registry of built-in
// datasets (for the UI and CLI), augmentation, the cache location, and the IDX and image
// decoders for callers that hold bytes rather than a graph config.

export { DatasetError, type Dataset, type DatasetSplits, type Task } from './dataset.js';
export { loadDataset, resolveDatasetName, type DatasetConfig, type LoadEnv } from './load.js';
export {
  CIFAR10_CLASSES,
  DATASETS,
  FASHION_MNIST_CLASSES,
  datasetNames,
  findDataset,
  type DatasetInfo,
  type DatasetOptions,
  type DatasetSource,
  type Localized,
  type OptionInfo,
  type OptionType,
  type OptionValue,
} from './registry.js';
export { AUGMENTATIONS, augmentBatch, sampleSeed, type AugmentContext, type AugmentOp } from './augment.js';
export { CACHE_FORMAT_VERSION, defaultCacheDir } from './cache.js';
export { FASHION_MNIST_SYSTEM_DIR, parseIdx, readIdx, type IdxArray, type IdxType } from './idx.js';
export { decodeImage, type RgbaImage } from './images.js';
export { GENERATED_NAMES, type GeneratedName } from './generated.js';
export { MNIST_ORDER_SEED } from './mnist.js';
