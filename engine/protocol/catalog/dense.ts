// The dense family: fully connected layers (全結合層 / Affine) and Rosenblatt's perceptron.
// Both take a vector [F] and produce [units]; images must go through Flatten first.

import { text } from '../text.js';
import { BIAS_PARAM, portShape, SINGLE_OUTPUT, singleInput, needsVectorFault, unitsParam } from './common.js';
import { defineNode, type BoolParam, type NodeSpec, type PortShapes } from './types.js';

type DenseParams = {
  readonly units: number;
  readonly bias: boolean;
};

/** Number of input features F of a vector input (rank checked by `infer`). */
function features(inputs: PortShapes): number {
  return portShape(inputs)[0] ?? 0;
}

/** Weights F×units plus one bias per unit. */
function denseParamCount(inputs: PortShapes, params: DenseParams): number {
  return features(inputs) * params.units + (params.bias ? params.units : 0);
}

/** One multiply-add (2 FLOPs) per weight, then one add per bias. */
function denseFlops(inputs: PortShapes, params: DenseParams): number {
  return 2 * features(inputs) * params.units + (params.bias ? params.units : 0);
}

function vectorToUnits(node: string) {
  return (inputs: PortShapes, params: DenseParams) => {
    const shape = portShape(inputs);
    if (shape.length !== 1) return needsVectorFault(node, 'in', shape);
    return [[params.units]];
  };
}

const dense = defineNode<DenseParams>({
  type: 'Dense',
  family: 'dense',
  role: 'layer',
  label: text('Dense (Affine)', '全結合層（Affine）'),
  summary: text(
    'Every output is a weighted sum of all inputs plus a bias: y = Wx + b.',
    'すべての入力の重み付き和にバイアスを足して出力します（y = Wx + b）。',
  ),
  explanation: text(
    'A dense (fully connected, "Affine") layer connects every input feature to every output unit: each unit computes a weighted sum of the whole input vector and adds its bias. ' +
      'It is the building block of a multilayer perceptron (MLP). On its own it is linear, so stacking two Dense layers without an activation between them is no more powerful than one: put ReLU, Sigmoid or Tanh after each hidden Dense layer. ' +
      'Initialise weights to suit the activation that follows (He for ReLU, Xavier/Glorot for Sigmoid and Tanh). ' +
      'Pitfall: it needs a vector, so flatten images first, and note the parameter count grows as inputs × units — a Dense layer on a large image quickly holds millions of weights.',
    '全結合層（Affine 層）は、入力のすべての特徴量を出力のすべてのユニットにつなぎます。各ユニットは入力ベクトル全体の重み付き和を計算し、バイアスを加えます。' +
      '多層パーセプトロン（MLP）の基本部品です。これ自体は線形なので、活性化関数をはさまずに Dense を 2 つ重ねても 1 つと同じ表現力しかありません。隠れ層の Dense の後には ReLU・Sigmoid・Tanh などを置きましょう。' +
      '重みの初期値は後ろの活性化関数に合わせます（ReLU なら He の初期値、Sigmoid や Tanh なら Xavier（Glorot）の初期値）。' +
      '注意点: 入力はベクトルでなければならないので、画像は先に平坦化してください。またパラメータ数は「入力数 × ユニット数」で増えるため、大きな画像に直接つなぐとすぐに数百万個の重みになります。',
  ),
  formula: 'y = W x + b,\\quad W \\in \\mathbb{R}^{\\mathrm{units} \\times F},\\; b \\in \\mathbb{R}^{\\mathrm{units}}',
  params: [unitsParam(128), BIAS_PARAM],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: vectorToUnits('Dense'),
  paramCount: denseParamCount,
  flops: (inputs, _outputs, params) => denseFlops(inputs, params),
});

const PERCEPTRON_BIAS: BoolParam = {
  ...BIAS_PARAM,
  help: text(
    'The bias b = −θ sets the firing threshold θ. Without it the decision boundary must pass through the origin, so simple gates such as AND and NAND cannot be learned.',
    'バイアス b = −θ は発火のしきい値 θ を決めます。バイアスがないと決定境界は原点を通るしかなく、AND や NAND のような単純な論理ゲートさえ学習できません。',
  ),
};

const perceptron = defineNode<DenseParams>({
  type: 'Perceptron',
  family: 'dense',
  role: 'layer',
  label: text('Perceptron', 'パーセプトロン'),
  summary: text(
    'Rosenblatt’s perceptron: weighted sum, then a step that outputs 0 or 1.',
    'ローゼンブラットのパーセプトロン: 重み付き和をステップ関数で 0 か 1 にします。',
  ),
  explanation: text(
    'The simple perceptron (Rosenblatt, 1958) is the ancestor of neural networks. Each unit fires (outputs 1) when the weighted sum of its inputs plus the bias is positive, and outputs 0 otherwise. ' +
      'Because the step has zero slope, it is not trained by backpropagation but by the error-correction learning rule: after each sample, every weight moves by η(t − y)x, so weights change only when the answer was wrong. ' +
      'The perceptron convergence theorem guarantees that this finds a solution in finitely many steps when the classes are linearly separable, as for AND, OR and NAND. ' +
      'Pitfall: XOR is not linearly separable, so a single perceptron never learns it — that takes two layers (a multilayer perceptron with a differentiable activation).',
    '単純パーセプトロン（ローゼンブラット, 1958 年）はニューラルネットワークの原型です。各ユニットは、入力の重み付き和にバイアスを加えた値が正なら発火して 1 を出力し、そうでなければ 0 を出力します。' +
      'ステップ関数は傾きが 0 なので誤差逆伝播法では学習できず、誤り訂正学習で学習します。サンプルごとに各重みを η(t − y)x だけ動かすので、答えを間違えたときにだけ重みが変わります。' +
      'パーセプトロンの収束定理により、AND・OR・NAND のように線形分離可能な問題なら有限回の更新で解が見つかることが保証されています。' +
      '注意点: XOR は線形分離できないので、1 層のパーセプトロンでは決して学習できません。微分可能な活性化関数を使った 2 層以上のネットワーク（多層パーセプトロン）が必要です。',
  ),
  formula:
    'y = \\begin{cases} 1 & (Wx + b > 0) \\\\ 0 & (Wx + b \\le 0) \\end{cases},\\qquad w \\leftarrow w + \\eta\\,(t - y)\\,x',
  params: [unitsParam(1), PERCEPTRON_BIAS],
  inputs: singleInput,
  outputs: SINGLE_OUTPUT,
  infer: vectorToUnits('Perceptron'),
  paramCount: denseParamCount,
  // The Dense cost plus one comparison per unit for the step.
  flops: (inputs, _outputs, params) => denseFlops(inputs, params) + params.units,
});

export const denseNodes: readonly NodeSpec[] = [dense, perceptron];
