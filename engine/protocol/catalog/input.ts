// The input family: where data enters the graph. An Input node has no input ports; its
// `shape` param is the per-sample shape of the dataset's features (the batch axis N is implicit).

import { text } from '../text.js';
import { SINGLE_OUTPUT } from './common.js';
import { defineNode, type NodeSpec } from './types.js';

type InputParams = {
  readonly shape: readonly number[];
  readonly kind: string;
};

const input = defineNode<InputParams>({
  type: 'Input',
  family: 'input',
  role: 'input',
  label: text('Input', '入力層'),
  summary: text(
    'Feeds one mini-batch of samples into the network.',
    'ミニバッチ単位でサンプルをネットワークに送り込みます。',
  ),
  explanation: text(
    'The input layer does no computation: it hands each mini-batch of N samples to the next node, so every shape you see on an edge is [N, …]. ' +
      'Set “shape” to the shape of one sample: [784] for a flattened 28×28 MNIST digit, [1,28,28] to keep it as a one-channel image for Conv2D, [3,32,32] for a CIFAR colour image. ' +
      'A common pitfall is feeding a flat vector into a convolution: convolutions need [C,H,W], dense layers need a vector [F].',
    '入力層は計算を行わず、N 個のサンプルからなるミニバッチを次のノードへ渡すだけです。そのため、エッジに表示される形状はすべて [N, …] になります。' +
      '「形状」には 1 サンプルの形状を指定します。平坦化した 28×28 の MNIST 画像なら [784]、Conv2D で使うために 1 チャンネルの画像のまま扱うなら [1,28,28]、CIFAR のカラー画像なら [3,32,32] です。' +
      'よくある間違いは、平坦なベクトルをそのまま畳み込み層に入れることです。畳み込み層には [C,H,W]、全結合層にはベクトル [F] が必要です。',
  ),
  formula: 'y = x \\in \\mathbb{R}^{N \\times d_1 \\times \\cdots \\times d_k}',
  params: [
    {
      name: 'shape',
      kind: 'ints',
      default: [784],
      minLength: 1,
      maxLength: 3,
      min: 1,
      max: 65536,
      label: text('Shape', '形状'),
      help: text(
        'Shape of one sample, without the batch axis: [F] for a vector, [C,H,W] for an image, [T,F] for a sequence.',
        'バッチ軸を除いた 1 サンプルの形状です。ベクトルなら [F]、画像なら [C,H,W]、系列なら [T,F] を指定します。',
      ),
    },
    {
      name: 'kind',
      kind: 'enum',
      default: 'vector',
      options: [
        { value: 'image', label: text('Image [C,H,W]', '画像 [C,H,W]') },
        { value: 'vector', label: text('Vector [F]', 'ベクトル [F]') },
        { value: 'sequence', label: text('Sequence [T,F]', '系列 [T,F]') },
      ],
      label: text('Kind', '種類'),
      help: text(
        'What the numbers mean. It decides how panels draw samples (as pictures, bars or time series) and which augmentations are offered.',
        'データが何を表すかを指定します。パネルでのサンプルの表示方法（画像・棒グラフ・時系列）や、選べるデータ拡張が変わります。',
      ),
    },
  ],
  inputs: () => [],
  outputs: SINGLE_OUTPUT,
  infer: (_inputs, params) => [[...params.shape]],
  paramCount: () => 0,
  flops: () => 0,
});

export const inputNodes: readonly NodeSpec[] = [input];
